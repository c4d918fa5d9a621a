using Apo.Algorithm;
using Apo.Algorithm.Optimization;
using Apo.Model.Inference;
using Apo.Model.Qwen2;
using TorchSharp;
using static TorchSharp.torch;

namespace Apo.Engine.StageTwo.Baselines;

/// <summary>
/// What GRPO, REBEL and PPO share, on verl's conventions: validate the grouped batch; recompute the
/// "old" token log-probs with the current policy WITHOUT gradients (verl recomputes them; the sampling
/// log-probs are not used) and the reference's; then per mini-batch (whole prompt groups) one policy
/// step whose gradient accumulates over micro-batches. The old log-probs are computed on exactly the
/// micro-batches the steps use, so before the first step the ratio π_θ/π_old is exactly 1.
/// Synchronous tensor work: call every member on the device's thread.
/// </summary>
public abstract class BaselineLearner : IStageTwoLearner
{
    readonly PolicyOptimizer optimizer;

    private protected BaselineLearner(Qwen2ForCausalLM policy, Qwen2ForCausalLM reference, StageTwoLearnerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(settings);
        if (ReferenceEquals(policy, reference)) throw new ArgumentException("the policy and the reference must be different model instances", nameof(reference));
        ArgumentNullException.ThrowIfNull(settings.Optimizer, nameof(settings.Optimizer));
        settings.Optimizer.Validate();
        if (settings.MicroBatchSize < 0) throw new ArgumentOutOfRangeException(nameof(settings.MicroBatchSize), settings.MicroBatchSize, "must be ≥ 0 (0 = whole mini-batch).");
        if (settings.ScoringBatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(settings.ScoringBatchSize), settings.ScoringBatchSize, "must be positive.");
        Policy = policy;
        Reference = reference;
        Settings = settings;
        optimizer = new PolicyOptimizer(policy.parameters(), settings.Optimizer);
    }

    public StageTwoLearnerSettings Settings { get; }

    public abstract StageTwoAlgorithm Algorithm { get; }

    /// <inheritdoc />
    public int ResponsesPerPrompt => Algorithm.ResponsesPerPrompt();

    /// <inheritdoc />
    public long OptimizerSteps => optimizer.StepCount;

    private protected Qwen2ForCausalLM Policy { get; }
    private protected Qwen2ForCausalLM Reference { get; }

    /// <summary>The batch being updated, with its recomputed log-probs (valid during <see cref="Update"/>).</summary>
    private protected BaselineBatch Current { get; private set; } = null!;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The batch is empty, not made of whole adjacent prompt groups, has fewer groups
    /// than mini-batches, or holds an empty prompt/response or a non-finite reward (the message names the rollout).</exception>
    public UpdateMetrics Update(IReadOnlyList<TrainingRollout> batch)
    {
        GroupedBatch.Validate(batch, ResponsesPerPrompt, Algorithm.Name());
        var plan = MiniBatchPlan.Create(batch.Count, ResponsesPerPrompt, Settings.Optimizer.MiniBatches, Settings.MicroBatchSize);
        var prompts = batch.Select(r => r.PromptIds).ToArray();
        var responses = batch.Select(r => r.ResponseIds).ToArray();
        var (oldTokens, oldSums) = OldLogProbs(plan, prompts, responses);
        var reference = Scorer.Score(Reference, prompts, responses, Settings.ScoringBatchSize);
        Current = new BaselineBatch(batch, prompts, responses, plan, oldTokens, oldSums,
            reference.Select(s => s.TokenLogProbs).ToArray(), reference.Select(s => s.Sum).ToArray());
        try
        {
            Prepare(Current);
            double lossSum = 0, klSum = 0, normSum = 0;
            foreach (var mini in plan)
            {
                var losses = mini.Parts.Select(part => (Func<Tensor>)(() => PolicyPartLoss(mini, part, ref klSum))).ToList();
                var step = optimizer.Step(losses);
                lossSum += step.Loss;
                normSum += step.GradientNorm;
                AfterPolicyStep(Current, mini);
            }
            return new UpdateMetrics(
                Loss: lossSum / plan.Count,
                MeanReward: batch.Average(r => r.Reward),
                MeanVStar: double.NaN,
                KlPerSequence: klSum / batch.Count,
                MeanResponseLength: batch.Average(r => (double)r.ResponseIds.Length),
                GradientNorm: normSum / plan.Count,
                OptimizerSteps: checked((int)optimizer.StepCount));
        }
        finally
        {
            Current = null!;
        }
    }

    /// <summary>Algorithm-specific preparation over the whole batch before the first step (advantages, …).</summary>
    private protected virtual void Prepare(BaselineBatch batch) { }

    /// <summary>
    /// The part's contribution to its mini-batch loss, weighted so that the parts sum to the mini-batch loss
    /// (see <see cref="TokenShare"/> and <see cref="SequenceShare"/>).
    /// </summary>
    private protected abstract Tensor PartLoss(BaselineBatch batch, MiniBatchPlan mini, MiniBatchSlice part, TeacherForcingOutput output);

    /// <summary>Runs after each policy step (PPO steps its critic here).</summary>
    private protected virtual void AfterPolicyStep(BaselineBatch batch, MiniBatchPlan mini) { }

    /// <summary>The part's share of a token-mean loss over its mini-batch: its response tokens / the mini-batch's.</summary>
    private protected static double TokenShare(BaselineBatch batch, MiniBatchPlan mini, MiniBatchSlice part) =>
        (double)part.Indices.Sum(i => batch.Responses[i].Length) / mini.Sequences.Indices.Sum(i => batch.Responses[i].Length);

    /// <summary>The part's share of a per-sequence mean over its mini-batch.</summary>
    private protected static double SequenceShare(MiniBatchPlan mini, MiniBatchSlice part) => (double)part.Count / mini.Sequences.Count;

    /// <inheritdoc />
    public virtual void SaveState(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory.CreateDirectory(directory);
        optimizer.SaveState(Path.Combine(directory, LearnerStateFiles.Optimizer));
    }

    /// <inheritdoc />
    public virtual void LoadState(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        optimizer.LoadState(Path.Combine(directory, LearnerStateFiles.Optimizer));
    }

    public virtual void Dispose()
    {
        optimizer.Dispose();
        GC.SuppressFinalize(this);
    }

    Tensor PolicyPartLoss(MiniBatchPlan mini, MiniBatchSlice part, ref double klSum)
    {
        var output = TeacherForcing.Forward(Policy, Current.Slice(Current.Prompts, part), Current.Slice(Current.Responses, part));
        using (no_grad())
        using (var scope = NewDisposeScope())
        {
            var referenceSums = tensor(part.Indices.Select(i => (float)Current.ReferenceSums[i]).ToArray(), device: Policy.Device);
            klSum += (output.SequenceLogProbs - referenceSums).sum().ToDouble();
        }
        return PartLoss(Current, mini, part, output);
    }

    /// <summary>Token log-probs and sums of the current policy without gradients, on the very micro-batches the steps use.</summary>
    (float[][] Tokens, float[] Sums) OldLogProbs(IReadOnlyList<MiniBatchPlan> plan, int[][] prompts, int[][] responses)
    {
        var tokens = new float[prompts.Length][];
        var sums = new float[prompts.Length];
        using var noGrad = no_grad();
        foreach (var part in plan.SelectMany(m => m.Parts))
        {
            using var scope = NewDisposeScope();
            var output = TeacherForcing.Forward(Policy, prompts[part.Start..part.End], responses[part.Start..part.End]);
            var rows = PerSequence.Unpad(output.TokenLogProbs, part.Indices.Select(i => responses[i].Length).ToArray());
            using var cpuSums = output.SequenceLogProbs.cpu();
            var partSums = cpuSums.data<float>().ToArray();
            for (int b = 0; b < part.Count; b++)
            {
                tokens[part.Start + b] = rows[b];
                sums[part.Start + b] = partSums[b];
            }
        }
        return (tokens, sums);
    }
}

using Apo.Algorithm;
using Apo.Algorithm.Optimization;
using Apo.Model.Inference;
using Apo.Model.Qwen2;
using TorchSharp;
using static TorchSharp.torch;

namespace Apo.Engine.StageTwo;

/// <summary>
/// The one way every stage-2 learner (A*-PO, GRPO, REBEL, PPO) splits, scores and accumulates: validate the
/// batch (whole adjacent prompt groups); plan the steps (<see cref="MiniBatchPlan"/>: mini-batches of whole groups,
/// micro-batches by the token budget); score the reference without gradients, and — for the ratio-based baselines,
/// on verl's conventions — the "old" log-probs of the current policy on exactly the micro-batches the steps use
/// (so before the first step π_θ/π_old is exactly 1); then per mini-batch one policy step whose gradient
/// accumulates over its micro-batches, each weighted by its share of the mini-batch (<see cref="SequenceShare"/>,
/// <see cref="TokenShare"/>), so the step equals one over the whole mini-batch.
/// Synchronous tensor work: call every member on the device's thread.
/// </summary>
public abstract class StageTwoLearner : IStageTwoLearner
{
    readonly PolicyOptimizer optimizer;

    private protected StageTwoLearner(Qwen2ForCausalLM policy, Qwen2ForCausalLM reference, StageTwoLearnerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(settings);
        if (ReferenceEquals(policy, reference)) throw new ArgumentException("the policy and the reference must be different model instances", nameof(reference));
        settings.Validate();
        Policy = policy;
        Reference = reference;
        Settings = settings;
        policy.ActivationCheckpointing = settings.ActivationCheckpointing;
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

    /// <summary>Whether the loss needs π_old (the ratio-based baselines); A*-PO regresses onto a fixed target and does not.</summary>
    private protected virtual bool NeedsOldLogProbs => true;

    /// <summary>Whether the loss uses the per-token entropy (only when its weight is above 0: it costs a vocabulary pass).</summary>
    private protected abstract bool NeedsEntropy { get; }

    /// <summary>The batch being updated, with its scored log-probs (valid during <see cref="Update"/>).</summary>
    private protected LearnerBatch Current { get; private set; } = null!;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The batch is empty, not made of whole adjacent prompt groups, has fewer groups
    /// than mini-batches, or holds an empty prompt/response or a non-finite reward (the message names the rollout).</exception>
    public UpdateMetrics Update(IReadOnlyList<TrainingRollout> batch, ReferenceScores? reference = null)
    {
        GroupedBatch.Validate(batch, ResponsesPerPrompt, Algorithm.Name());
        Validate(batch);
        var prompts = batch.Select(r => r.PromptIds).ToArray();
        var responses = batch.Select(r => r.ResponseIds).ToArray();
        var plan = MiniBatchPlan.Create(batch.Select(r => r.PromptIds.Length + r.ResponseIds.Length).ToArray(),
            ResponsesPerPrompt, Settings.Optimizer.MiniBatches, Settings.MaxTokensPerMicroBatch);
        var (oldTokens, oldSums) = NeedsOldLogProbs ? OldLogProbs(plan, prompts, responses) : ([], []);
        reference ??= ReferenceScores.Of(Reference, batch, Settings.MaxTokensPerMicroBatch);
        if (reference.Sums.Length != batch.Count || reference.TokenLogProbs.Length != batch.Count)
            throw new ArgumentException($"reference scores of {reference.Sums.Length} rollouts for a batch of {batch.Count}", nameof(reference));
        Current = new LearnerBatch(batch, prompts, responses, plan, oldTokens, oldSums, reference.TokenLogProbs, reference.Sums);
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
                MeanVStar: MeanVStar(batch),
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

    /// <summary>Algorithm-specific checks of the batch beyond the shared ones (A*-PO: a finite V̂* on every rollout).</summary>
    private protected virtual void Validate(IReadOnlyList<TrainingRollout> batch) { }

    /// <summary>The batch's mean V̂* for the metrics (NaN for algorithms without one).</summary>
    private protected virtual double MeanVStar(IReadOnlyList<TrainingRollout> batch) => double.NaN;

    /// <summary>Algorithm-specific preparation over the whole batch before the first step (advantages, …).</summary>
    private protected virtual void Prepare(LearnerBatch batch) { }

    /// <summary>
    /// The part's contribution to its mini-batch loss, weighted so that the parts sum to the mini-batch loss
    /// (see <see cref="TokenShare"/> and <see cref="SequenceShare"/>).
    /// </summary>
    private protected abstract Tensor PartLoss(LearnerBatch batch, MiniBatchPlan mini, int[] part, TeacherForcingOutput output);

    /// <summary>Runs after each policy step (PPO steps its critic here).</summary>
    private protected virtual void AfterPolicyStep(LearnerBatch batch, MiniBatchPlan mini) { }

    /// <summary>The part's share of a token-mean over its mini-batch: its response tokens / the mini-batch's.</summary>
    private protected static double TokenShare(LearnerBatch batch, MiniBatchPlan mini, int[] part) =>
        (double)batch.Tokens(part) / batch.Tokens(mini.Sequences.Indices);

    /// <summary>The part's share of a per-sequence mean over its mini-batch.</summary>
    private protected static double SequenceShare(MiniBatchPlan mini, int[] part) => (double)part.Length / mini.Sequences.Count;

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

    Tensor PolicyPartLoss(MiniBatchPlan mini, int[] part, ref double klSum)
    {
        var output = TeacherForcing.Forward(Policy, Current.Slice(Current.Prompts, part), Current.Slice(Current.Responses, part), NeedsEntropy);
        using (no_grad())
        using (var scope = NewDisposeScope())
            klSum += (output.SequenceLogProbs - PerSequence.Gather(Current.ReferenceSums, part, Policy.Device)).sum().ToDouble();
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
            var output = TeacherForcing.Forward(Policy, part.Select(i => prompts[i]).ToArray(), part.Select(i => responses[i]).ToArray());
            var rows = PerSequence.Unpad(output.TokenLogProbs, part.Select(i => responses[i].Length).ToArray());
            using var cpuSums = output.SequenceLogProbs.cpu();
            var partSums = cpuSums.data<float>().ToArray();
            for (int b = 0; b < part.Length; b++)
            {
                tokens[part[b]] = rows[b];
                sums[part[b]] = partSums[b];
            }
        }
        return (tokens, sums);
    }
}

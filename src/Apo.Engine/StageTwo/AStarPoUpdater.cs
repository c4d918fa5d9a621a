using Apo.Algorithm.AStarPo;
using Apo.Algorithm.Optimization;
using Apo.Model.Inference;
using Apo.Model.Qwen2;
using TorchSharp;
using static TorchSharp.torch;

namespace Apo.Engine.StageTwo;

/// <summary>
/// The stage-2 learner of A*-PO: for a batch of on-policy rollouts it scores the reference without
/// gradients, then per mini-batch (<see cref="MiniBatches.Split"/>, in batch order) teacher-forces the
/// policy and takes one AdamW step on mean_b (β2·[log π(y|x) − log π_ref(y|x)] − (r − V̂*))², log-probs
/// summed over response tokens (EOS included, padding excluded). The reference is only read.
/// Synchronous tensor work: call every member on the device's thread.
/// </summary>
public sealed class AStarPoUpdater : IStageTwoLearner
{
    readonly Qwen2ForCausalLM policy;
    readonly Qwen2ForCausalLM reference;
    readonly PolicyOptimizer optimizer;

    public AStarPoUpdater(Qwen2ForCausalLM policy, Qwen2ForCausalLM reference, AStarPoSettings settings)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(settings);
        if (ReferenceEquals(policy, reference)) throw new ArgumentException("the policy and the reference must be different model instances", nameof(reference));
        settings.Validate();
        this.policy = policy;
        this.reference = reference;
        Settings = settings;
        optimizer = new PolicyOptimizer(policy.parameters(), settings.Optimizer);
    }

    public AStarPoSettings Settings { get; }

    /// <inheritdoc />
    public Apo.Algorithm.StageTwoAlgorithm Algorithm => Apo.Algorithm.StageTwoAlgorithm.AStarPo;

    /// <summary>One rollout per prompt: the baseline V̂* comes from stage 1, not from siblings.</summary>
    public int ResponsesPerPrompt => 1;

    /// <summary>Optimizer steps taken (one per mini-batch), including those restored by <see cref="LoadOptimizerState"/>.</summary>
    public long OptimizerSteps => optimizer.StepCount;

    /// <summary>One batch update: <c>Settings.Optimizer.MiniBatches</c> optimizer steps.</summary>
    /// <exception cref="ArgumentException">The batch is empty, smaller than the mini-batch count, or holds an empty response.</exception>
    public UpdateMetrics Update(IReadOnlyList<TrainingRollout> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0) throw new ArgumentException("a stage-2 batch needs at least one rollout", nameof(batch));
        for (int i = 0; i < batch.Count; i++)
        {
            var r = batch[i];
            if (r.PromptIds.Length == 0) throw new ArgumentException($"rollout {i} (prompt \"{r.PromptId}\") has an empty prompt", nameof(batch));
            if (r.ResponseIds.Length == 0) throw new ArgumentException($"rollout {i} (prompt \"{r.PromptId}\") has an empty response", nameof(batch));
            if (!double.IsFinite(r.Reward) || !double.IsFinite(r.VStar))
                throw new ArgumentException($"rollout {i} (prompt \"{r.PromptId}\") has reward {r.Reward} and V̂* {r.VStar}; both must be finite", nameof(batch));
        }
        var slices = MiniBatches.Split(batch.Count, Settings.Optimizer.MiniBatches);

        var referenceSums = Scorer.Score(reference, batch.Select(r => r.PromptIds).ToList(), batch.Select(r => r.ResponseIds).ToList(),
            Settings.ScoringBatchSize).Select(s => s.Sum).ToArray();

        double lossSum = 0, klSum = 0, normSum = 0;
        foreach (var slice in slices)
        {
            var parts = MicroBatches(slice);
            var losses = parts.Select(part => (Func<Tensor>)(() => PartLoss(batch, referenceSums, part, slice.Count, ref klSum))).ToList();
            var step = optimizer.Step(losses);
            lossSum += step.Loss * slice.Count;
            normSum += step.GradientNorm;
        }

        return new UpdateMetrics(
            Loss: lossSum / batch.Count,
            MeanReward: batch.Average(r => r.Reward),
            MeanVStar: batch.Average(r => r.VStar),
            KlPerSequence: klSum / batch.Count,
            MeanResponseLength: batch.Average(r => (double)r.ResponseIds.Length),
            GradientNorm: normSum / slices.Count,
            OptimizerSteps: checked((int)optimizer.StepCount));
    }

    /// <summary>Writes the AdamW state and step count atomically (weights are saved separately).</summary>
    public void SaveOptimizerState(string path) => optimizer.SaveState(path);

    /// <summary>Restores <see cref="SaveOptimizerState"/>'s file into this updater (same model shape), so training continues bit for bit.</summary>
    public void LoadOptimizerState(string path) => optimizer.LoadState(path);

    /// <summary>Writes <see cref="LearnerStateFiles.Optimizer"/> into <paramref name="directory"/> (created if missing).</summary>
    public void SaveState(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory.CreateDirectory(directory);
        SaveOptimizerState(Path.Combine(directory, LearnerStateFiles.Optimizer));
    }

    /// <summary>Restores <see cref="SaveState"/>'s file.</summary>
    public void LoadState(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        LoadOptimizerState(Path.Combine(directory, LearnerStateFiles.Optimizer));
    }

    public void Dispose() => optimizer.Dispose();

    IReadOnlyList<MiniBatchSlice> MicroBatches(MiniBatchSlice slice)
    {
        int size = Settings.MicroBatchSize;
        if (size == 0 || slice.Count <= size) return [slice];
        var parts = new List<MiniBatchSlice>();
        for (int start = slice.Start; start < slice.End; start += size)
            parts.Add(new MiniBatchSlice(start, Math.Min(size, slice.End - start)));
        return parts;
    }

    /// <summary>The part's share of its mini-batch loss: mean over the part × part/mini-batch, so the parts sum to the mini-batch mean.</summary>
    Tensor PartLoss(IReadOnlyList<TrainingRollout> batch, double[] referenceSums, MiniBatchSlice part, int miniBatchCount, ref double klSum)
    {
        var rows = part.Indices.Select(i => batch[i]).ToArray();
        var output = TeacherForcing.Forward(policy, rows.Select(r => r.PromptIds).ToList(), rows.Select(r => r.ResponseIds).ToList());
        var referenceLogProbs = tensor(part.Indices.Select(i => (float)referenceSums[i]).ToArray(), device: policy.Device);
        var rewards = tensor(rows.Select(r => (float)r.Reward).ToArray(), device: policy.Device);
        var vStar = tensor(rows.Select(r => (float)r.VStar).ToArray(), device: policy.Device);
        var loss = AStarPoLoss.Compute(output.SequenceLogProbs, referenceLogProbs, rewards, vStar, Settings.Beta2,
            output.TokenEntropy, output.Mask, Settings.Optimizer.EntropyCoefficient);

        using (no_grad())
        using (var scope = NewDisposeScope())
            klSum += (output.SequenceLogProbs - referenceLogProbs).sum().ToDouble();
        return part.Count == miniBatchCount ? loss : loss * ((double)part.Count / miniBatchCount);
    }
}

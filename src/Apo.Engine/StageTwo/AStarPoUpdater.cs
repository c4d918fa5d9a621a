using Apo.Algorithm.AStarPo;
using Apo.Model.Inference;
using Apo.Model.Qwen2;
using static TorchSharp.torch;

namespace Apo.Engine.StageTwo;

/// <summary>
/// The stage-2 learner of A*-PO on the shared <see cref="StageTwoLearner"/>: one rollout per prompt; the reference
/// is scored without gradients, then per mini-batch one AdamW step on mean_b (β2·[log π(y|x) − log π_ref(y|x)] − (r − V̂*))²,
/// log-probs summed over response tokens (EOS included, padding excluded), minus the optional entropy bonus.
/// No old log-probs: the regression target r − V̂* does not depend on the sampling policy.
/// </summary>
public sealed class AStarPoUpdater : StageTwoLearner
{
    public AStarPoUpdater(Qwen2ForCausalLM policy, Qwen2ForCausalLM reference, StageTwoLearnerSettings settings)
        : base(policy, reference, settings)
    {
    }

    /// <inheritdoc />
    public override Apo.Algorithm.StageTwoAlgorithm Algorithm => Apo.Algorithm.StageTwoAlgorithm.AStarPo;

    private protected override bool NeedsOldLogProbs => false;

    private protected override bool NeedsEntropy => Settings.Optimizer.EntropyCoefficient > 0;

    private protected override void Validate(IReadOnlyList<TrainingRollout> batch)
    {
        for (int i = 0; i < batch.Count; i++)
            if (!double.IsFinite(batch[i].VStar))
                throw new ArgumentException($"rollout {i} (prompt \"{batch[i].PromptId}\") has V̂* {batch[i].VStar}; it must be finite", nameof(batch));
    }

    private protected override double MeanVStar(IReadOnlyList<TrainingRollout> batch) => batch.Average(r => r.VStar);

    /// <summary>The regression is a per-sequence mean and the entropy bonus a token mean: each gets its own share of the mini-batch.</summary>
    private protected override Tensor PartLoss(LearnerBatch batch, MiniBatchPlan mini, int[] part, TeacherForcingOutput output)
    {
        var device = Policy.Device;
        var reference = PerSequence.Gather(batch.ReferenceSums, part, device);
        var rewards = tensor(part.Select(i => (float)batch.Rollouts[i].Reward).ToArray(), device: device);
        var vStar = tensor(part.Select(i => (float)batch.Rollouts[i].VStar).ToArray(), device: device);
        return AStarPoLoss.Compute(output.SequenceLogProbs, reference, rewards, vStar, Settings.Beta2,
            output.TokenEntropyIfComputed, output.Mask, Settings.Optimizer.EntropyCoefficient,
            sequenceShare: SequenceShare(mini, part), tokenShare: TokenShare(batch, mini, part));
    }
}

using Apo.Algorithm;
using Apo.Algorithm.Baselines.Rebel;
using Apo.Algorithm.Optimization;
using Apo.Model.Inference;
using Apo.Model.Qwen2;
using static TorchSharp.torch;

namespace Apo.Engine.StageTwo.Baselines;

/// <summary>
/// REBEL (paper App. A.5): each prompt's two rollouts form a pair; per mini-batch one step on
/// mean over pairs of ((1/η)·[Δlog π(y) − Δlog π(y′)] − (r − r′))², Δ = log π_θ − log π_old on sequence sums,
/// η = <see cref="StageTwoLearnerSettings.RebelEta"/>. No KL or entropy term.
/// </summary>
public sealed class RebelLearner : StageTwoLearner
{
    public RebelLearner(Qwen2ForCausalLM policy, Qwen2ForCausalLM reference, StageTwoLearnerSettings settings)
        : base(policy, reference, settings)
    {
        if (!(settings.RebelEta > 0) || !double.IsFinite(settings.RebelEta))
            throw new ArgumentOutOfRangeException(nameof(settings.RebelEta), settings.RebelEta, "η must be a positive finite number.");
    }

    public override StageTwoAlgorithm Algorithm => StageTwoAlgorithm.Rebel;

    private protected override bool NeedsEntropy => false;

    private protected override Tensor PartLoss(LearnerBatch batch, MiniBatchPlan mini, int[] part, TeacherForcingOutput output)
    {
        using var scope = NewDisposeScope();
        var old = tensor(batch.Slice(batch.OldSums, part), device: Policy.Device);
        var rewards = tensor(part.Select(i => (float)batch.Rollouts[i].Reward).ToArray(), device: Policy.Device);
        var loss = RebelLoss.ComputeAdjacentPairs(output.SequenceLogProbs, old, rewards, Settings.RebelEta);
        return (loss * SequenceShare(mini, part)).MoveToOuterDisposeScope();
    }
}

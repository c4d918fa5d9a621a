using Apo.Algorithm;
using Apo.Algorithm.Baselines.Grpo;
using Apo.Algorithm.Optimization;
using Apo.Model.Inference;
using Apo.Model.Qwen2;
using static TorchSharp.torch;

namespace Apo.Engine.StageTwo.Baselines;

/// <summary>
/// GRPO (paper App. A.5 on verl's conventions): group advantages (r − mean)/(std + ε) over each prompt's
/// rollouts, computed once over the whole batch and put on every response token; per mini-batch one step on
/// the token-mean clipped surrogate + k3 KL to π_ref − entropy bonus, coefficients from <see cref="StageTwoLearnerSettings.Grpo"/>.
/// </summary>
public sealed class GrpoLearner : StageTwoLearner
{
    double[] advantages = [];

    public GrpoLearner(Qwen2ForCausalLM policy, Qwen2ForCausalLM reference, StageTwoLearnerSettings settings)
        : base(policy, reference, settings)
    {
        ArgumentNullException.ThrowIfNull(settings.Grpo, nameof(settings.Grpo));
        if (settings.Grpo.ResponsesPerPrompt != ResponsesPerPrompt)
            throw new ArgumentOutOfRangeException(nameof(settings.Grpo.ResponsesPerPrompt), settings.Grpo.ResponsesPerPrompt,
                $"the pipeline draws {ResponsesPerPrompt} responses per prompt for GRPO.");
    }

    public override StageTwoAlgorithm Algorithm => StageTwoAlgorithm.Grpo;

    private protected override bool NeedsEntropy => Settings.Grpo.EntropyCoefficient > 0;

    private protected override void Prepare(LearnerBatch batch)
    {
        int group = ResponsesPerPrompt;
        advantages = GroupAdvantages.Compute(batch.Rollouts.Select(r => r.Reward).ToArray(),
            Enumerable.Range(0, batch.Rollouts.Count).Select(i => i / group).ToArray(), Settings.Grpo.AdvantageEpsilon);
    }

    private protected override Tensor PartLoss(LearnerBatch batch, MiniBatchPlan mini, int[] part, TeacherForcingOutput output)
    {
        using var scope = NewDisposeScope();
        long width = output.TokenLogProbs.shape[1];
        var old = PerSequence.Pad(batch.OldTokenLogProbs, part, width, Policy.Device);
        var reference = PerSequence.Pad(batch.ReferenceTokenLogProbs, part, width, Policy.Device);
        var tokenAdvantages = GroupAdvantages.ToTokens(part.Select(i => advantages[i]).ToArray(), output.Mask);
        var loss = GrpoLoss.Compute(output.TokenLogProbs, old, reference, tokenAdvantages, output.Mask, output.TokenEntropyIfComputed, Settings.Grpo);
        return (loss * TokenShare(batch, mini, part)).MoveToOuterDisposeScope();
    }
}

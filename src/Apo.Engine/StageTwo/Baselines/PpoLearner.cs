using Apo.Algorithm;
using Apo.Algorithm.Baselines.Ppo;
using Apo.Algorithm.Optimization;
using Apo.Model.Inference;
using Apo.Model.Qwen2;
using static TorchSharp.torch;

namespace Apo.Engine.StageTwo.Baselines;

/// <summary>
/// PPO (paper App. A.5 on verl's conventions) with a critic of the policy's size: a value head on its own
/// copy of the policy (<see cref="Qwen2ValueModel.CopyOf"/>), owned and disposed here. Before the steps:
/// the critic's old values (no gradient), token rewards = score at the last token − coef·(log π_old − log π_ref)
/// on every token, GAE(γ, λ) advantages (whitened over the batch if asked) and returns. Per mini-batch: one
/// actor step (clipped surrogate − entropy bonus), then one critic step on the clipped value loss with its own
/// AdamW at lr × <see cref="PpoSettings.CriticLearningRateMultiplier"/>.
/// </summary>
public sealed class PpoLearner : StageTwoLearner
{
    readonly Qwen2ValueModel critic;
    readonly PolicyOptimizer criticOptimizer;
    float[][] oldValues = [], advantages = [], returns = [];
    double valueLossSum;

    public PpoLearner(Qwen2ForCausalLM policy, Qwen2ForCausalLM reference, StageTwoLearnerSettings settings)
        : base(policy, reference, settings)
    {
        ArgumentNullException.ThrowIfNull(settings.Ppo, nameof(settings.Ppo));
        var multiplier = settings.Ppo.CriticLearningRateMultiplier;
        if (!(multiplier > 0) || !double.IsFinite(multiplier))
            throw new ArgumentOutOfRangeException(nameof(settings.Ppo.CriticLearningRateMultiplier), multiplier, "must be a positive finite number.");
        critic = Qwen2ValueModel.CopyOf(policy);
        critic.ActivationCheckpointing = settings.ActivationCheckpointing;
        try
        {
            criticOptimizer = new PolicyOptimizer(critic.parameters(),
                settings.Optimizer with { LearningRate = settings.Optimizer.LearningRate * multiplier });
        }
        catch
        {
            critic.Dispose();
            base.Dispose();
            throw;
        }
    }

    public override StageTwoAlgorithm Algorithm => StageTwoAlgorithm.Ppo;

    private protected override bool NeedsEntropy => Settings.Ppo.EntropyCoefficient > 0;

    /// <summary>The critic (read it, do not train it elsewhere).</summary>
    public Qwen2ValueModel Critic => critic;

    /// <summary>Critic optimizer steps taken so far, restored ones included.</summary>
    public long CriticOptimizerSteps => criticOptimizer.StepCount;

    /// <summary>Mean of the critic's step losses in the last <see cref="StageTwoLearner.Update"/> (NaN before the first).</summary>
    public double LastValueLoss { get; private set; } = double.NaN;

    private protected override void Prepare(LearnerBatch batch)
    {
        var lengths = batch.Responses.Select(r => r.Length).ToArray();
        oldValues = new float[batch.Rollouts.Count][];
        using (no_grad())
        {
            foreach (var part in batch.Plan.SelectMany(m => m.Parts))
            {
                using var partScope = NewDisposeScope();
                var output = ValueForcing.Forward(critic, batch.Slice(batch.Prompts, part), batch.Slice(batch.Responses, part));
                var rows = PerSequence.Unpad(output.Values, batch.Slice(lengths, part));
                for (int b = 0; b < part.Length; b++) oldValues[part[b]] = rows[b];
            }
        }

        using var scope = NewDisposeScope();
        var device = Policy.Device;
        var mask = PerSequence.Pad(lengths.Select(n => Enumerable.Repeat(1f, n).ToArray()).ToArray(), device);
        var scores = tensor(batch.Rollouts.Select(r => (float)r.Reward).ToArray(), device: device);
        var tokenRewards = KlRewardShaping.TokenRewards(scores, PerSequence.Pad(batch.OldTokenLogProbs, device),
            PerSequence.Pad(batch.ReferenceTokenLogProbs, device), mask, Settings.Ppo.KlInRewardCoefficient);
        using var gae = Gae.Compute(tokenRewards, PerSequence.Pad(oldValues, device), mask,
            Settings.Ppo.Gamma, Settings.Ppo.Lambda, Settings.Ppo.WhitenAdvantages);
        advantages = PerSequence.Unpad(gae.Advantages, lengths);
        returns = PerSequence.Unpad(gae.Returns, lengths);
        valueLossSum = 0;
    }

    private protected override Tensor PartLoss(LearnerBatch batch, MiniBatchPlan mini, int[] part, TeacherForcingOutput output)
    {
        using var scope = NewDisposeScope();
        long width = output.TokenLogProbs.shape[1];
        var old = PerSequence.Pad(batch.OldTokenLogProbs, part, width, Policy.Device);
        var tokenAdvantages = PerSequence.Pad(advantages, part, width, Policy.Device);
        var loss = PpoActorLoss.Compute(output.TokenLogProbs, old, tokenAdvantages, output.Mask, output.TokenEntropyIfComputed, Settings.Ppo);
        return (loss * TokenShare(batch, mini, part)).MoveToOuterDisposeScope();
    }

    private protected override void AfterPolicyStep(LearnerBatch batch, MiniBatchPlan mini)
    {
        var losses = mini.Parts.Select(part => (Func<Tensor>)(() =>
        {
            var output = ValueForcing.Forward(critic, batch.Slice(batch.Prompts, part), batch.Slice(batch.Responses, part));
            long width = output.Values.shape[1];
            var old = PerSequence.Pad(oldValues, part, width, critic.Device);
            var target = PerSequence.Pad(returns, part, width, critic.Device);
            return ValueLoss.Compute(output.Values, old, target, output.Mask, Settings.Ppo.ValueClipRange) * TokenShare(batch, mini, part);
        })).ToList();
        var step = criticOptimizer.Step(losses);
        valueLossSum += step.Loss;
        if (ReferenceEquals(mini, batch.Plan[^1])) LastValueLoss = valueLossSum / batch.Plan.Count;
    }

    /// <summary>Writes the policy optimizer, the critic weights and the critic optimizer, each atomically.</summary>
    public override void SaveState(string directory)
    {
        base.SaveState(directory);
        critic.Save(Path.Combine(directory, LearnerStateFiles.CriticWeights));
        criticOptimizer.SaveState(Path.Combine(directory, LearnerStateFiles.CriticOptimizer));
    }

    /// <summary>Restores the three files of <see cref="SaveState"/>.</summary>
    public override void LoadState(string directory)
    {
        base.LoadState(directory);
        critic.Load(Path.Combine(directory, LearnerStateFiles.CriticWeights));
        criticOptimizer.LoadState(Path.Combine(directory, LearnerStateFiles.CriticOptimizer));
    }

    public override void Dispose()
    {
        criticOptimizer.Dispose();
        critic.Dispose();
        base.Dispose();
    }
}

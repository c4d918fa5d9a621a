using Apo.Algorithm;
using Apo.Engine.StageTwo.Baselines;
using Apo.Model.Qwen2;

namespace Apo.Engine.StageTwo;

/// <summary>Builds the learner <see cref="StageTwoLearnerSettings.Algorithm"/> names.</summary>
public static class StageTwoLearners
{
    /// <summary>A new learner of <paramref name="policy"/> against the read-only <paramref name="reference"/>; the caller disposes it.</summary>
    public static IStageTwoLearner Create(StageTwoLearnerSettings settings, Qwen2ForCausalLM policy, Qwen2ForCausalLM reference)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Algorithm switch
        {
            StageTwoAlgorithm.AStarPo => new AStarPoUpdater(policy, reference, settings),
            StageTwoAlgorithm.Grpo => new GrpoLearner(policy, reference, settings),
            StageTwoAlgorithm.Rebel => new RebelLearner(policy, reference, settings),
            StageTwoAlgorithm.Ppo => new PpoLearner(policy, reference, settings),
            _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Algorithm, "unknown stage-2 algorithm"),
        };
    }
}

namespace Apo.Engine.StageTwo;

/// <summary>File names a learner's <see cref="IStageTwoLearner.SaveState"/> writes inside its directory.</summary>
public static class LearnerStateFiles
{
    /// <summary>The policy's AdamW state and step count (every algorithm).</summary>
    public const string Optimizer = "optimizer.bin";

    /// <summary>PPO's critic weights (safetensors).</summary>
    public const string CriticWeights = "critic.safetensors";

    /// <summary>PPO's critic AdamW state and step count.</summary>
    public const string CriticOptimizer = "critic-optimizer.bin";
}

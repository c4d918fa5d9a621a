using Apo.Abstractions.Weights;

namespace Apo.Abstractions.Training;

/// <summary>
/// The stage-2 driver of one run, keyed by run id: picks batches, fans out generation, consumes
/// the rollout stream, updates the policy, publishes weight versions, checkpoints.
/// </summary>
[Alias("apo.ITrainerGrain")]
public interface ITrainerGrain : IGrainWithStringKey
{
    /// <summary>Starts stage 2, or resumes it from the last checkpoint when the plan equals the stored one.</summary>
    [Alias("Start")]
    Task<TrainerStatus> Start(StageTwoPlan plan);

    /// <summary>Current progress.</summary>
    [Alias("GetStatus")]
    Task<TrainerStatus> GetStatus();

    /// <summary>The latest published policy weights (version 0 = reference).</summary>
    [Alias("GetCurrentWeights")]
    Task<WeightVersion> GetCurrentWeights();

    /// <summary>Stops after the current iteration and checkpoints.</summary>
    [Alias("Stop")]
    Task Stop();
}

namespace Apo.Abstractions.Training;

/// <summary>Where a trainer is in its life.</summary>
[GenerateSerializer, Alias("apo.TrainerPhase")]
public enum TrainerPhase
{
    /// <summary>Not started.</summary>
    Idle = 0,
    /// <summary>Running iterations.</summary>
    Training = 1,
    /// <summary>All iterations done.</summary>
    Finished = 2,
    /// <summary>Stopped on request after a checkpoint.</summary>
    Stopped = 3,
    /// <summary>Stopped by an error (see TrainerStatus.Error).</summary>
    Failed = 4,
}

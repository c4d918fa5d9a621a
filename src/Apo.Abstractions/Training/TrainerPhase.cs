namespace Apo.Abstractions.Training;

/// <summary>Where a trainer is in its life.</summary>
[GenerateSerializer, Alias("apo.TrainerPhase")]
public enum TrainerPhase
{
    Idle = 0,
    Training = 1,
    Finished = 2,
    Stopped = 3,
    Failed = 4,
}

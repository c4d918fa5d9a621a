namespace Apo.Abstractions.Runs;

/// <summary>Where a run is.</summary>
[GenerateSerializer, Alias("apo.RunPhase")]
public enum RunPhase
{
    NotStarted = 0,
    StageOne = 1,
    StageTwo = 2,
    Evaluation = 3,
    Completed = 4,
    Cancelled = 5,
    Failed = 6,
}

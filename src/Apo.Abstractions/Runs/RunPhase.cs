namespace Apo.Abstractions.Runs;

/// <summary>Where a run is.</summary>
[GenerateSerializer, Alias("apo.RunPhase")]
public enum RunPhase
{
    /// <summary>Not started.</summary>
    NotStarted = 0,
    /// <summary>Sampling reference responses and computing V̂*.</summary>
    StageOne = 1,
    /// <summary>Training.</summary>
    StageTwo = 2,
    /// <summary>Evaluating on held-out prompts.</summary>
    Evaluation = 3,
    /// <summary>Done.</summary>
    Completed = 4,
    /// <summary>Stopped on request.</summary>
    Cancelled = 5,
    /// <summary>Stopped by an error (see RunStatus.Error).</summary>
    Failed = 6,
}

namespace Apo.Abstractions.Runs;

/// <summary>A run's progress.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Phase">Current phase.</param>
/// <param name="StageOneDone">Prompts with a stage-1 record of this run's provenance.</param>
/// <param name="StageOneTotal">Training prompts.</param>
/// <param name="TrainerIteration">Completed stage-2 iterations.</param>
/// <param name="Error">Failure message when <see cref="Phase"/> is Failed.</param>
[GenerateSerializer, Immutable, Alias("apo.RunStatus")]
public sealed record RunStatus(
    [property: Id(0)] string RunId,
    [property: Id(1)] RunPhase Phase,
    [property: Id(2)] int StageOneDone,
    [property: Id(3)] int StageOneTotal,
    [property: Id(4)] long TrainerIteration,
    [property: Id(5)] string? Error)
{
    /// <summary>Stage-2 steps the run will take (fewer than planned when stage 1 dropped prompts); null before stage 1 has decided.</summary>
    [Id(6)] public long? StageTwoIterations { get; init; }
}

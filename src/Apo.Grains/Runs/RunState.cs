using System.Collections.Immutable;
using Apo.Abstractions.Runs;

namespace Apo.Grains.Runs;

/// <summary>
/// What a RunGrain was asked to do: written when the run starts and once more when stage 1 ends, never
/// per unit of work (it holds every prompt id, so it grows with the run). Progress lives in <see cref="RunProgress"/>.
/// </summary>
[GenerateSerializer, Alias("apo.RunState")]
public sealed record RunState
{
    /// <summary>The spec the run was started with, or null before the first Start.</summary>
    [Id(0)] public RunSpec? Spec { get; init; }

    /// <summary>Prompts handed to stage 2 (after the optional all-zero filter), or null before stage 1 ended.</summary>
    [Id(1)] public ImmutableArray<string>? StageTwoPromptIds { get; init; }
}

/// <summary>
/// Where a run is: a fixed-size record, rewritten after every stage-1 work unit whatever the run's size.
/// Which prompts have their stage-1 record is kept by the PromptGrains themselves, so a resumed run
/// re-sends every unit and a generator skips the prompts already recorded.
/// </summary>
[GenerateSerializer, Alias("apo.RunProgress")]
public sealed record RunProgress
{
    /// <summary>Where the run is.</summary>
    [Id(0)] public RunPhase Phase { get; init; }

    /// <summary>Prompts whose stage-1 record is confirmed since the phase (re)started.</summary>
    [Id(1)] public int StageOneDone { get; init; }

    /// <summary>Last completed trainer iteration seen.</summary>
    [Id(2)] public long TrainerIteration { get; init; }

    /// <summary>Why the run failed, when <see cref="Phase"/> is Failed.</summary>
    [Id(3)] public string? Error { get; init; }
}

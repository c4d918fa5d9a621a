using System.Collections.Immutable;
using Apo.Abstractions.Runs;

namespace Apo.Grains.Runs;

/// <summary>The durable state of one RunGrain. Replaced wholesale on every write.</summary>
[GenerateSerializer, Alias("apo.RunState")]
public sealed record RunState
{
    /// <summary>The spec the run was started with, or null before the first Start.</summary>
    [Id(0)] public RunSpec? Spec { get; init; }

    /// <summary>Where the run is.</summary>
    [Id(1)] public RunPhase Phase { get; init; }

    /// <summary>Stage-1 work units known to be complete (their prompts all have a record of this run's provenance).</summary>
    [Id(2)] public ImmutableArray<string> CompletedWorkUnits { get; init; } = [];

    /// <summary>Prompts whose stage-1 record exists (sum over completed units).</summary>
    [Id(3)] public int StageOneDone { get; init; }

    /// <summary>Prompts handed to stage 2 (after the optional all-zero filter), or null before stage 1 ended.</summary>
    [Id(4)] public ImmutableArray<string>? StageTwoPromptIds { get; init; }

    /// <summary>Last completed trainer iteration seen.</summary>
    [Id(5)] public long TrainerIteration { get; init; }

    /// <summary>Why the run failed, when <see cref="Phase"/> is Failed.</summary>
    [Id(6)] public string? Error { get; init; }
}

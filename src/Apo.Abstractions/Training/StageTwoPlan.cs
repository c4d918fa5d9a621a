using System.Collections.Immutable;
using Apo.Abstractions.StageOne;
using Apo.Abstractions.Weights;

namespace Apo.Abstractions.Training;

/// <summary>What a trainer needs to run stage 2 of one run. Starting twice with an equal plan resumes.</summary>
/// <param name="RunId">The run (trainer key, stream key).</param>
/// <param name="Reference">The frozen reference checkpoint (also the initial policy).</param>
/// <param name="StageOne">Provenance of the V̂* to train against.</param>
/// <param name="PromptIds">Training prompts that survived stage 1 (and its optional filter).</param>
/// <param name="Settings">Stage-2 hyper-parameters.</param>
/// <param name="OutputDirectory">Where checkpoints and published weights go.</param>
[GenerateSerializer, Immutable, Alias("apo.StageTwoPlan")]
public sealed record StageTwoPlan(
    [property: Id(0)] string RunId,
    [property: Id(1)] ReferenceModel Reference,
    [property: Id(2)] StageOneProvenance StageOne,
    [property: Id(3)] ImmutableArray<string> PromptIds,
    [property: Id(4)] StageTwoSettings Settings,
    [property: Id(5)] string OutputDirectory)
{
    /// <summary>
    /// Held-out prompts (initialised PromptGrains) whose greedy accuracy the trainer measures at
    /// every checkpoint and writes into that step's metrics line; empty for none.
    /// </summary>
    [Id(6)]
    public ImmutableArray<string> EvalPromptIds { get; init; } = ImmutableArray<string>.Empty;

    /// <summary>The run's batch shape for rollouts and held-out checks; null = the silo's own generation settings.</summary>
    [Id(7)] public Generation.GenerationEngine? Engine { get; init; }
}

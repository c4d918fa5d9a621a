using System.Collections.Immutable;
using Apo.Abstractions.StageOne;
using Apo.Abstractions.Weights;

namespace Apo.Abstractions.Generation;

/// <summary>
/// A slice of stage 1 for one generator: sample N reference responses for each prompt, score them,
/// and record them in each PromptGrain. Safe to retry or run twice (PromptGrain ignores duplicates).
/// </summary>
/// <param name="RunId">The run it belongs to.</param>
/// <param name="WorkUnitId">Stable id of the slice (for progress and retries).</param>
/// <param name="Reference">The reference checkpoint to sample from.</param>
/// <param name="Provenance">What the records will carry; its seed, with the prompt id and sample index, seeds each sequence.</param>
/// <param name="PromptIds">Prompts of the slice (keys of PromptGrains already initialized).</param>
/// <param name="Engine">The run's batch shape; null = the silo's own generation settings.</param>
[GenerateSerializer, Immutable, Alias("apo.StageOneWorkUnit")]
public sealed record StageOneWorkUnit(
    [property: Id(0)] string RunId,
    [property: Id(1)] string WorkUnitId,
    [property: Id(2)] ReferenceModel Reference,
    [property: Id(3)] StageOneProvenance Provenance,
    [property: Id(4)] ImmutableArray<string> PromptIds,
    [property: Id(5)] GenerationEngine? Engine = null);

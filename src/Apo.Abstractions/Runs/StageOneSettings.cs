using Apo.Abstractions.StageOne;

namespace Apo.Abstractions.Runs;

/// <summary>Stage-1 settings of a run.</summary>
/// <param name="Samples">N reference samples per prompt (paper 8).</param>
/// <param name="Beta1">β1 (paper 0.5; 0 = plain mean).</param>
/// <param name="Sampling">Sampling of the reference (paper: temperature 1, top-p 1).</param>
/// <param name="Seed">Base seed of stage 1.</param>
/// <param name="DropAllZeroPrompts">Drop prompts whose N samples all scored 0 before stage 2.</param>
/// <param name="PromptsPerWorkUnit">Prompts per generator work unit.</param>
[GenerateSerializer, Immutable, Alias("apo.StageOneSettings")]
public sealed record StageOneSettings(
    [property: Id(0)] int Samples,
    [property: Id(1)] double Beta1,
    [property: Id(2)] SamplingSettings Sampling,
    [property: Id(3)] long Seed,
    [property: Id(4)] bool DropAllZeroPrompts,
    [property: Id(5)] int PromptsPerWorkUnit)
{
    /// <summary>The provenance stage-1 records of this run carry for a reference with this hash.</summary>
    public StageOneProvenance ProvenanceFor(string referenceModelHash) =>
        new(referenceModelHash, Beta1, Samples, Sampling, Seed);
}

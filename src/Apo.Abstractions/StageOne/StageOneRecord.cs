using System.Collections.Immutable;

namespace Apo.Abstractions.StageOne;

/// <summary>The stage-1 result of one prompt: its N samples and the V̂* the PromptGrain computed from them.</summary>
/// <param name="Provenance">What V̂* depends on.</param>
/// <param name="Samples">Exactly <see cref="StageOneProvenance.Samples"/> samples.</param>
/// <param name="VStar">V̂* = β1·log mean exp(r/β1) over the samples' rewards.</param>
/// <param name="Origin">Sampled here or imported.</param>
[GenerateSerializer, Immutable, Alias("apo.StageOneRecord")]
public sealed record StageOneRecord(
    [property: Id(0)] StageOneProvenance Provenance,
    [property: Id(1)] ImmutableArray<StageOneSample> Samples,
    [property: Id(2)] double VStar,
    [property: Id(3)] StageOneOrigin Origin);

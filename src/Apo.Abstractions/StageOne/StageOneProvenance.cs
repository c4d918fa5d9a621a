namespace Apo.Abstractions.StageOne;

/// <summary>
/// Everything V̂* depends on. Two stage-1 results are interchangeable exactly when their
/// provenances are equal (value equality: every field is a scalar or a scalar record).
/// </summary>
/// <param name="ReferenceModelHash">Content hash of the reference checkpoint (or of an import file).</param>
/// <param name="Beta1">β1 of V̂* = β1·log mean exp(r/β1); 0 means the plain mean.</param>
/// <param name="Samples">N, the number of reference samples per prompt.</param>
/// <param name="Sampling">How the N samples were drawn.</param>
/// <param name="Seed">Base seed of the stage-1 sampling.</param>
[GenerateSerializer, Immutable, Alias("apo.StageOneProvenance")]
public sealed record StageOneProvenance(
    [property: Id(0)] string ReferenceModelHash,
    [property: Id(1)] double Beta1,
    [property: Id(2)] int Samples,
    [property: Id(3)] SamplingSettings Sampling,
    [property: Id(4)] long Seed)
{
    /// <summary>Null when usable, else a message naming the bad field.</summary>
    public string? Problem() =>
        string.IsNullOrWhiteSpace(ReferenceModelHash) ? "stage-1 provenance: reference model hash is empty"
        : double.IsNaN(Beta1) || Beta1 < 0 ? $"stage-1 provenance: β1 is {Beta1}; it must be ≥ 0 (0 means the plain mean)"
        : Samples < 1 ? $"stage-1 provenance: N is {Samples}; it must be ≥ 1"
        : Sampling is null ? "stage-1 provenance: sampling settings are missing"
        : Sampling.Problem() is { } p ? $"stage-1 provenance: {p}"
        : null;
}

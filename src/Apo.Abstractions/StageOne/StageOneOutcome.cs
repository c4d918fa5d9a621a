namespace Apo.Abstractions.StageOne;

/// <summary>The answer to RecordStageOne / ImportStageOne.</summary>
/// <param name="Record">The record now stored (for a duplicate: the earlier one, not the caller's samples).</param>
/// <param name="Write">Whether this call stored, ignored or replaced.</param>
/// <param name="ReplacedProvenance">For <see cref="StageOneWrite.Replaced"/>: the provenance that was invalidated; else null.</param>
[GenerateSerializer, Immutable, Alias("apo.StageOneOutcome")]
public sealed record StageOneOutcome(
    [property: Id(0)] StageOneRecord Record,
    [property: Id(1)] StageOneWrite Write,
    [property: Id(2)] StageOneProvenance? ReplacedProvenance)
{
    /// <summary>True when the call was ignored because the same provenance was already recorded.</summary>
    public bool WasDuplicate => Write == StageOneWrite.Duplicate;
}

namespace Apo.Abstractions.StageOne;

/// <summary>What a RecordStageOne / ImportStageOne call did to the stored record.</summary>
[GenerateSerializer, Alias("apo.StageOneWrite")]
public enum StageOneWrite
{
    /// <summary>No record existed; this call stored one.</summary>
    Recorded = 0,

    /// <summary>A record with the same provenance existed; the call was ignored (idempotent retry).</summary>
    Duplicate = 1,

    /// <summary>A record with a different provenance existed; it was invalidated and replaced.</summary>
    Replaced = 2,
}

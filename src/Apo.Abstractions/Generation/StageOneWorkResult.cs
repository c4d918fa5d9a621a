namespace Apo.Abstractions.Generation;

/// <summary>What a generator did with one <see cref="StageOneWorkUnit"/>.</summary>
/// <param name="WorkUnitId">The unit's id.</param>
/// <param name="Recorded">Prompts whose record this unit stored (new or replacing an old provenance).</param>
/// <param name="AlreadyPresent">Prompts that already had a record with this provenance (skipped or duplicate).</param>
/// <param name="VerifierFailures">Samples the verifier could not judge (counted, scored 0, never silent).</param>
[GenerateSerializer, Immutable, Alias("apo.StageOneWorkResult")]
public sealed record StageOneWorkResult(
    [property: Id(0)] string WorkUnitId,
    [property: Id(1)] int Recorded,
    [property: Id(2)] int AlreadyPresent,
    [property: Id(3)] int VerifierFailures);

namespace Apo.Abstractions.Weights;

/// <summary>
/// A published set of policy weights: its number and where the weight store keeps it. Grain
/// messages carry only this reference, never tensors.
/// </summary>
/// <param name="Version">0 is the reference model; each optimizer publication adds one.</param>
/// <param name="Location">Where to load it from: a directory path embedded, a blob URI prefix in a cluster.</param>
[GenerateSerializer, Immutable, Alias("apo.WeightVersion")]
public sealed record WeightVersion(
    [property: Id(0)] long Version,
    [property: Id(1)] string Location)
{
    /// <summary>The trainer incarnation that published it (0 for the reference).</summary>
    [Id(2)] public long TrainerEpoch { get; init; }

    /// <summary>
    /// SHA-256 of the published file ("sha256:…"), which a generator checks after downloading it: a version
    /// overwritten by a stale trainer, or a tampered cache, is refused. Null where no file travels (in process).
    /// </summary>
    [Id(3)] public string? ContentHash { get; init; }
}

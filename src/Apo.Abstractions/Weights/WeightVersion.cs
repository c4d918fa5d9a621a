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
    [property: Id(1)] string Location);

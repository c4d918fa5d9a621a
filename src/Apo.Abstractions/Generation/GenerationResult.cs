using System.Collections.Immutable;

namespace Apo.Abstractions.Generation;

/// <summary>The sampled sequences of one <see cref="GenerationRequest"/>, in request order.</summary>
/// <param name="RequestId">The request's id.</param>
/// <param name="WeightVersion">The version actually used.</param>
/// <param name="Sequences">One per requested sequence, same order.</param>
[GenerateSerializer, Immutable, Alias("apo.GenerationResult")]
public sealed record GenerationResult(
    [property: Id(0)] string RequestId,
    [property: Id(1)] long WeightVersion,
    [property: Id(2)] ImmutableArray<GeneratedSequence> Sequences);

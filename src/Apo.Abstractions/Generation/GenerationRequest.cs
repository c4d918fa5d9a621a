using System.Collections.Immutable;
using Apo.Abstractions.StageOne;
using Apo.Abstractions.Weights;

namespace Apo.Abstractions.Generation;

/// <summary>A batch of sequences to sample with one weight version and one set of sampling settings.</summary>
/// <param name="RequestId">Caller's id, echoed in the result (for retries and logs).</param>
/// <param name="Weights">Which weights to sample with; the generator loads them by location if not loaded.</param>
/// <param name="Sampling">Temperature, top-p, top-k, max new tokens.</param>
/// <param name="Sequences">One item per sequence, at most <see cref="MaxSequences"/>.</param>
/// <param name="Reference">The reference checkpoint (architecture, tokenizer, version-0 weights); optional as in <see cref="RolloutRequest"/>.</param>
[GenerateSerializer, Immutable, Alias("apo.GenerationRequest")]
public sealed record GenerationRequest(
    [property: Id(0)] string RequestId,
    [property: Id(1)] WeightVersion Weights,
    [property: Id(2)] SamplingSettings Sampling,
    [property: Id(3)] ImmutableArray<GenerationPrompt> Sequences,
    [property: Id(4)] ReferenceModel? Reference = null)
{
    /// <summary>
    /// Largest batch per message. 512 sequences of 256 prompt + 4096 response tokens with
    /// log-probs is about 512·(256·3 + 4096·7) B ≈ 15 MB of result, well below Orleans' 100 MB limit.
    /// </summary>
    public const int MaxSequences = 512;
}

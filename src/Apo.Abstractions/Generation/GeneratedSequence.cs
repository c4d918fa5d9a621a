using System.Collections.Immutable;

namespace Apo.Abstractions.Generation;

/// <summary>One sampled response with the log-probs it was sampled with.</summary>
/// <param name="PromptId">Key of the prompt it answers.</param>
/// <param name="ResponseTokenIds">Response token ids, EOS included when produced, no padding.</param>
/// <param name="LogProbs">Sampling log-prob of each response token (same length as the ids).</param>
/// <param name="FinishedAtEos">True if it stopped at EOS, false if cut at max new tokens.</param>
[GenerateSerializer, Immutable, Alias("apo.GeneratedSequence")]
public sealed record GeneratedSequence(
    [property: Id(0)] string PromptId,
    [property: Id(1)] ImmutableArray<int> ResponseTokenIds,
    [property: Id(2)] ImmutableArray<float> LogProbs,
    [property: Id(3)] bool FinishedAtEos);

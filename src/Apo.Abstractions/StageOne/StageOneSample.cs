using System.Collections.Immutable;

namespace Apo.Abstractions.StageOne;

/// <summary>One reference response of stage 1 and its score.</summary>
/// <param name="ResponseTokenIds">Sampled token ids (EOS included when it was produced); empty for imports that carry text only.</param>
/// <param name="ResponseText">Decoded response text.</param>
/// <param name="Reward">Verifier reward, usually 0 or 1; must be finite.</param>
/// <param name="FinishedAtEos">True if sampling stopped at EOS rather than at the length limit.</param>
/// <param name="VerifierFailure">Why the verifier could not judge (timeout, cap), or null when it did.</param>
[GenerateSerializer, Immutable, Alias("apo.StageOneSample")]
public sealed record StageOneSample(
    [property: Id(0)] ImmutableArray<int> ResponseTokenIds,
    [property: Id(1)] string ResponseText,
    [property: Id(2)] double Reward,
    [property: Id(3)] bool FinishedAtEos,
    [property: Id(4)] string? VerifierFailure);

namespace Apo.Abstractions.StageOne;

/// <summary>How responses are sampled. Temperature 0 means greedy.</summary>
/// <param name="Temperature">Softmax temperature (≥ 0; 0 = greedy).</param>
/// <param name="TopP">Nucleus mass in (0, 1]; 1 disables it.</param>
/// <param name="TopK">Keep the k most likely tokens; 0 disables it.</param>
/// <param name="MaxNewTokens">Longest response, in tokens (≥ 1).</param>
[GenerateSerializer, Immutable, Alias("apo.SamplingSettings")]
public sealed record SamplingSettings(
    [property: Id(0)] double Temperature,
    [property: Id(1)] double TopP,
    [property: Id(2)] int TopK,
    [property: Id(3)] int MaxNewTokens)
{
    /// <summary>Stage 1 of the paper: temperature 1, top-p 1, no top-k, 1024 new tokens.</summary>
    public static SamplingSettings StageOneDefault { get; } = new(1.0, 1.0, 0, 1024);

    /// <summary>Null when usable, else a message naming the bad field.</summary>
    public string? Problem() =>
        !double.IsFinite(Temperature) || Temperature < 0 ? $"sampling temperature is {Temperature}; it must be a finite number ≥ 0"
        : !(TopP > 0 && TopP <= 1) ? $"sampling top-p is {TopP}; it must be in (0, 1]"
        : TopK < 0 ? $"sampling top-k is {TopK}; it must be ≥ 0 (0 disables it)"
        : MaxNewTokens < 1 ? $"sampling max new tokens is {MaxNewTokens}; it must be ≥ 1"
        : null;
}

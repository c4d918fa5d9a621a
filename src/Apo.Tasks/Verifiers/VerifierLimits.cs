namespace Apo.Tasks.Verifiers;

/// <summary>
/// Bounds on the work one verification may do. Responses are capped by max-new-tokens in
/// practice (1024 tokens ≈ 5k characters), so the default caps only stop pathological inputs.
/// </summary>
public sealed record VerifierLimits
{
    /// <summary>Longest response examined (characters); longer ones fail as TooLarge. Default 200,000.</summary>
    public int MaxResponseChars { get; init; } = 200_000;

    /// <summary>Longest ground truth examined (characters). Default 100,000.</summary>
    public int MaxGroundTruthChars { get; init; } = 100_000;

    /// <summary>Time budget per item. Default 1 s (a normal item takes microseconds).</summary>
    public TimeSpan TimeLimit { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The defaults above.</summary>
    public static VerifierLimits Default { get; } = new();
}

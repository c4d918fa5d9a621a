namespace Apo.Tasks.Verifiers;

/// <summary>Why a verification produced no judgement (the score is then 0).</summary>
public enum VerifyFailureKind
{
    /// <summary>The verifier judged the answer (right or wrong).</summary>
    None,
    /// <summary>No answer could be extracted from the response (missing, malformed, empty).</summary>
    Unparseable,
    /// <summary>The reference answer itself could not be read: a data problem, not the model's.</summary>
    InvalidGroundTruth,
    /// <summary>The input exceeded the guard's size caps and was not examined.</summary>
    TooLarge,
    /// <summary>The verifier ran past its time budget.</summary>
    TimedOut,
    /// <summary>The verifier threw or returned something invalid.</summary>
    Crashed,
}

/// <summary>
/// Outcome of verifying one response. <paramref name="Score"/> is in [0, 1] (1 = correct);
/// <paramref name="Extracted"/> is the answer read from the response, when one was found;
/// <paramref name="Failure"/> says, in words, why no judgement was possible. A failure always
/// scores 0 but is never silent: <see cref="Kind"/> classifies it for the metrics.
/// </summary>
public sealed record VerifyResult(double Score, string? Extracted, string? Failure)
{
    /// <summary>Failure class; defaults to <see cref="VerifyFailureKind.Unparseable"/> when a
    /// <see cref="Failure"/> text is given without a kind, <see cref="VerifyFailureKind.None"/> otherwise.</summary>
    public VerifyFailureKind Kind { get; init; } =
        Failure is null ? VerifyFailureKind.None : VerifyFailureKind.Unparseable;

    /// <summary>True when the verifier reached a judgement (right or wrong).</summary>
    public bool IsJudged => Kind == VerifyFailureKind.None;

    /// <summary>True when the response earned full credit.</summary>
    public bool IsCorrect => IsJudged && Score >= 1.0;

    /// <summary>A judged answer: score 1 when <paramref name="correct"/>, else 0.</summary>
    public static VerifyResult Judged(bool correct, string extracted) =>
        new(correct ? 1.0 : 0.0, extracted, null);

    /// <summary>A failure of the given kind, scored 0.</summary>
    public static VerifyResult Failed(VerifyFailureKind kind, string reason, string? extracted = null)
    {
        if (kind == VerifyFailureKind.None)
            throw new ArgumentException("a failure needs a failure kind", nameof(kind));
        return new(0.0, extracted, reason) { Kind = kind };
    }
}

namespace Apo.Tasks.Verifiers;

/// <summary>
/// Scores one model response against the reference answer of its task item.
/// Implementations must not throw for any response text: what cannot be read becomes a
/// <see cref="VerifyResult"/> with a <see cref="VerifyResult.Failure"/> reason.
/// </summary>
public interface IVerifier
{
    /// <summary>Stable name used in metrics and configuration, e.g. "gsm8k".</summary>
    string Name { get; }

    /// <summary>Scores the response text only (never the prompt) against the ground truth.</summary>
    VerifyResult Verify(string response, string groundTruth);

    /// <summary>
    /// Same as <see cref="Verify(string, string)"/> but checks <paramref name="budget"/> while it
    /// works so a caller can bound its time without signals or threads. Verifiers that do not
    /// override this ignore the budget and are bounded only by the caller's input caps.
    /// </summary>
    VerifyResult Verify(string response, string groundTruth, VerificationBudget budget) =>
        Verify(response, groundTruth);
}

namespace Apo.Tasks.Verifiers;

/// <summary>
/// GSM8K reward: 1 when the response's final number equals the reference number, else 0.
/// Strict mode reads the number after the LAST "####" (it also checks the output format the
/// prompt asked for); flexible mode reads the last number anywhere in the response.
/// Only the response is scored: scoring prompt+response and taking the FIRST match (as the
/// A*-PO authors' code did) would read numbers out of the question.
/// </summary>
public sealed class Gsm8kVerifier(bool flexible = false) : IVerifier
{
    /// <summary>True for flexible mode (last number in the text).</summary>
    public bool Flexible { get; } = flexible;

    public string Name => Flexible ? "gsm8k-flexible" : "gsm8k";

    public VerifyResult Verify(string response, string groundTruth) =>
        Verify(response, groundTruth, VerificationBudget.Unlimited);

    public VerifyResult Verify(string response, string groundTruth, VerificationBudget budget)
    {
        var expected = Gsm8kAnswer.ParseGroundTruth(groundTruth);
        if (expected is null)
            return VerifyResult.Failed(VerifyFailureKind.InvalidGroundTruth,
                $"ground truth {Quote(groundTruth)} is not a number");

        if (string.IsNullOrWhiteSpace(response))
            return VerifyResult.Failed(VerifyFailureKind.Unparseable, "response is empty");

        if (Flexible)
        {
            var last = Gsm8kAnswer.ExtractLastNumber(response, budget);
            return last is null
                ? VerifyResult.Failed(VerifyFailureKind.Unparseable, "response contains no number")
                : VerifyResult.Judged(last == expected, last);
        }

        if (!response.Contains(Gsm8kAnswer.Marker, StringComparison.Ordinal))
            return VerifyResult.Failed(VerifyFailureKind.Unparseable, "response has no \"####\" answer marker");
        var strict = Gsm8kAnswer.ExtractStrict(response, budget);
        return strict is null
            ? VerifyResult.Failed(VerifyFailureKind.Unparseable, "no number after the last \"####\"")
            : VerifyResult.Judged(strict == expected, strict);
    }

    internal static string Quote(string? text) =>
        text is null ? "null" : text.Length <= 60 ? $"\"{text}\"" : $"\"{text[..60]}…\" ({text.Length} chars)";
}

namespace Apo.Tasks.Verifiers;

/// <summary>
/// MATH reward: 1 when the content of the response's last <c>\boxed{…}</c> equals the reference
/// answer after <see cref="MathAnswerNormalizer"/>, else 0. The reference may be a bare answer
/// ("\frac{1}{2}") or a full solution, in which case its own last box is used.
/// </summary>
public sealed class MathVerifier : IVerifier
{
    public string Name => "math";

    public VerifyResult Verify(string response, string groundTruth) =>
        Verify(response, groundTruth, VerificationBudget.Unlimited);

    public VerifyResult Verify(string response, string groundTruth, VerificationBudget budget)
    {
        string? reference = ReferenceAnswer(groundTruth, budget);
        if (reference is null)
            return VerifyResult.Failed(VerifyFailureKind.InvalidGroundTruth,
                $"ground truth {Gsm8kVerifier.Quote(groundTruth)} has no readable answer");

        if (string.IsNullOrWhiteSpace(response))
            return VerifyResult.Failed(VerifyFailureKind.Unparseable, "response is empty");

        string? boxed = BoxedAnswer.ExtractLast(response, budget);
        if (boxed is null)
            return VerifyResult.Failed(VerifyFailureKind.Unparseable, HasBoxKeyword(response)
                ? @"the last \boxed{ in the response is never closed"
                : @"response has no \boxed{} answer");
        if (string.IsNullOrWhiteSpace(boxed))
            return VerifyResult.Failed(VerifyFailureKind.Unparseable, @"the last \boxed{} is empty", boxed);

        bool equal = MathAnswerNormalizer.AreEquivalent(boxed, reference, budget);
        return VerifyResult.Judged(equal, boxed);
    }

    private static string? ReferenceAnswer(string? groundTruth, VerificationBudget budget)
    {
        if (string.IsNullOrWhiteSpace(groundTruth)) return null;
        string? answer = HasBoxKeyword(groundTruth) ? BoxedAnswer.ExtractLast(groundTruth, budget) : groundTruth;
        return string.IsNullOrWhiteSpace(answer) ? null : answer;
    }

    private static bool HasBoxKeyword(string text) =>
        text.Contains(@"\boxed", StringComparison.Ordinal) || text.Contains(@"\fbox", StringComparison.Ordinal);
}

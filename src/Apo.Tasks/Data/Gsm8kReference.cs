using System.Text.RegularExpressions;

namespace Apo.Tasks.Data;

/// <summary>The final answer of a GSM8K reference solution (the dataset side; scoring model responses is Verifiers.Gsm8kAnswer).</summary>
public static partial class Gsm8kReference
{
    /// <summary>
    /// The text after the last <c>####</c>, trimmed, with thousands commas removed; null when
    /// there is no <c>####</c> or what follows is not a plain decimal number (e.g. <c>-3</c>, <c>1250</c>, <c>2.5</c>).
    /// </summary>
    public static string? FinalAnswer(string solution)
    {
        var at = solution.LastIndexOf("####", StringComparison.Ordinal);
        if (at < 0) return null;
        var number = solution[(at + 4)..].Trim().Replace(",", "", StringComparison.Ordinal);
        return PlainNumber().IsMatch(number) ? number : null;
    }

    [GeneratedRegex(@"^-?\d+(\.\d+)?$")]
    private static partial Regex PlainNumber();
}

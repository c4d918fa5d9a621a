using System.Text;

namespace Apo.Tasks.Verifiers;

/// <summary>
/// Reads GSM8K-style numeric answers: "#### 1,000", "$18.00", "-3", ".5".
/// Numbers are returned in a canonical decimal text (no sign for zero, no leading zeros, no
/// trailing fractional zeros, no separators) so that equal values compare equal as strings
/// with no overflow or rounding whatever their length: "18" = "18.0" = "18.00", "1,000" = "1000".
/// Scanning is hand-written and linear: no regular expression can backtrack on a hostile text.
/// </summary>
public static class Gsm8kAnswer
{
    /// <summary>The marker GSM8K solutions (and our prompt template) put before the final answer.</summary>
    public const string Marker = "####";

    /// <summary>
    /// Strict mode: the number right after the LAST "####" (whitespace, "$", "\$" and a minus sign
    /// may precede it). Null when there is no "####" or no number follows the last one.
    /// </summary>
    public static string? ExtractStrict(string? text) => ExtractStrict(text, VerificationBudget.Unlimited);

    /// <inheritdoc cref="ExtractStrict(string?)"/>
    public static string? ExtractStrict(string? text, VerificationBudget budget)
    {
        if (string.IsNullOrEmpty(text)) return null;
        int marker = text.LastIndexOf(Marker, StringComparison.Ordinal);
        if (marker < 0) return null;
        return TryReadLeading(text, marker + Marker.Length, budget, out var number, out _) ? number : null;
    }

    /// <summary>Flexible mode: the last number anywhere in the text, or null when there is none.</summary>
    public static string? ExtractLastNumber(string? text) => ExtractLastNumber(text, VerificationBudget.Unlimited);

    /// <inheritdoc cref="ExtractLastNumber(string?)"/>
    public static string? ExtractLastNumber(string? text, VerificationBudget budget)
    {
        if (string.IsNullOrEmpty(text)) return null;
        (int Start, int End)? last = null;
        int i = 0;
        while (i < text.Length)
        {
            budget.Tick();
            if (StartsNumber(text, i))
            {
                int end = ScanDigits(text, i, budget);
                last = (i, end);
                i = end;
            }
            else i++;
        }
        if (last is not { } span) return null;
        return Canonical(text, span.Start, span.End, IsNegativeBefore(text, span.Start));
    }

    /// <summary>
    /// Parses a reference answer: either a bare number ("72", "1,000", "$5.50") or a full GSM8K
    /// solution ending in "#### 72". Null when it is not exactly one number.
    /// </summary>
    public static string? ParseGroundTruth(string? groundTruth)
    {
        if (string.IsNullOrWhiteSpace(groundTruth)) return null;
        if (groundTruth.Contains(Marker, StringComparison.Ordinal)) return ExtractStrict(groundTruth);
        if (!TryReadLeading(groundTruth, 0, VerificationBudget.Unlimited, out var number, out int end)) return null;
        // Only a trailing full stop or whitespace may follow: "72." is fine, "72 apples" is not a bare number.
        for (int i = end; i < groundTruth.Length; i++)
            if (groundTruth[i] != '.' && !char.IsWhiteSpace(groundTruth[i])) return null;
        return number;
    }

    /// <summary>Reads one number starting at <paramref name="pos"/> after optional whitespace, "$"/"\$" and sign.</summary>
    private static bool TryReadLeading(string text, int pos, VerificationBudget budget, out string? number, out int end)
    {
        number = null;
        end = pos;
        int i = pos;
        bool negative = false;
        while (i < text.Length)
        {
            budget.Tick();
            char c = text[i];
            if (char.IsWhiteSpace(c) || c == '$') i++;
            else if (c == '\\' && i + 1 < text.Length && text[i + 1] == '$') i += 2;
            else if (IsMinus(c) && !negative) { negative = true; i++; }
            else break;
        }
        if (i >= text.Length || !StartsNumber(text, i)) return false;
        end = ScanDigits(text, i, budget);
        number = Canonical(text, i, end, negative);
        return true;
    }

    private static bool IsMinus(char c) => c == '-' || c == '\u2212'; // ASCII hyphen or Unicode minus sign

    /// <summary>A number starts at a digit, or at "." followed by a digit that does not continue a number.</summary>
    private static bool StartsNumber(string text, int i) =>
        char.IsAsciiDigit(text[i])
        || (text[i] == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])
            && (i == 0 || !char.IsAsciiDigit(text[i - 1])));

    /// <summary>
    /// End (exclusive) of the number starting at <paramref name="start"/>: digits, thousands
    /// groups ",ddd" (exactly three digits, so "1,2,3" stays three numbers), one fractional part.
    /// A trailing "." ending a sentence is not part of the number.
    /// </summary>
    private static int ScanDigits(string text, int start, VerificationBudget budget)
    {
        int i = start;
        while (i < text.Length && char.IsAsciiDigit(text[i])) { i++; budget.Tick(); }
        while (i > start && i < text.Length && text[i] == ',' && IsThousandsGroup(text, i + 1))
        {
            budget.Tick();
            i += 4;
        }
        if (i + 1 < text.Length && text[i] == '.' && char.IsAsciiDigit(text[i + 1]))
        {
            i++;
            while (i < text.Length && char.IsAsciiDigit(text[i])) { i++; budget.Tick(); }
        }
        return i;
    }

    private static bool IsThousandsGroup(string text, int i) =>
        i + 2 < text.Length
        && char.IsAsciiDigit(text[i]) && char.IsAsciiDigit(text[i + 1]) && char.IsAsciiDigit(text[i + 2])
        && (i + 3 == text.Length || !char.IsAsciiDigit(text[i + 3]));

    /// <summary>
    /// A minus sign (optionally with "$" between it and the digits: "-$5", "$-5") counts only when
    /// it is not a subtraction, i.e. not preceded by a letter, digit or closing bracket: "5-3" ends in 3.
    /// </summary>
    private static bool IsNegativeBefore(string text, int start)
    {
        int j = start - 1;
        if (j >= 0 && text[j] == '$') j--;
        if (j >= 0 && text[j] == '\\') j--;
        if (j < 0 || !IsMinus(text[j])) return false;
        if (j == 0) return true;
        char before = text[j - 1];
        return !(char.IsLetterOrDigit(before) || before is ')' or ']' or '}');
    }

    private static string Canonical(string text, int start, int end, bool negative)
    {
        var integer = new StringBuilder();
        var fraction = new StringBuilder();
        bool inFraction = false;
        for (int i = start; i < end; i++)
        {
            char c = text[i];
            if (c == ',') continue;
            if (c == '.') { inFraction = true; continue; }
            (inFraction ? fraction : integer).Append(c);
        }
        string intPart = integer.ToString().TrimStart('0');
        string fracPart = fraction.ToString().TrimEnd('0');
        if (intPart.Length == 0) intPart = "0";
        bool isZero = intPart == "0" && fracPart.Length == 0;
        var sb = new StringBuilder();
        if (negative && !isZero) sb.Append('-');
        sb.Append(intPart);
        if (fracPart.Length > 0) sb.Append('.').Append(fracPart);
        return sb.ToString();
    }
}

using System.Text;

namespace Apo.Tasks.Verifiers;

/// <summary>
/// Hendrycks-style normalisation of a MATH answer (the MATH paper's <c>strip_string</c>),
/// re-implemented in linear time with a few deliberate repairs of its quirks:
/// <list type="bullet">
/// <item><c>\sqrt 2</c>, <c>\sqrt2</c> → <c>\sqrt{2}</c> (the original wrapped the space);
/// <c>\sqrt[3]{x}</c> is left alone (the original produced <c>\sqrt{[}3]…</c>).</item>
/// <item><c>\frac\pi2</c> → <c>\frac{\pi}{2}</c>: a command is one argument, not one character.</item>
/// <item>Text after the first <c>"\text{ "</c> is dropped as units even when it occurs twice
/// (the original raised and fell back to raw string equality).</item>
/// <item>Never throws: a malformed <c>\frac</c>/<c>\sqrt</c> at the end is left as written.</item>
/// </list>
/// </summary>
public static class MathAnswerNormalizer
{
    /// <summary>True when the two answers are equal after normalisation.</summary>
    public static bool AreEquivalent(string answer, string reference) =>
        AreEquivalent(answer, reference, VerificationBudget.Unlimited);

    /// <inheritdoc cref="AreEquivalent(string, string)"/>
    public static bool AreEquivalent(string answer, string reference, VerificationBudget budget) =>
        Normalize(answer, budget) == Normalize(reference, budget);

    /// <summary>The normalised form of <paramref name="answer"/> (see the class summary).</summary>
    public static string Normalize(string answer) => Normalize(answer, VerificationBudget.Unlimited);

    /// <inheritdoc cref="Normalize(string)"/>
    public static string Normalize(string answer, VerificationBudget budget)
    {
        string s = answer
            .Replace("\n", "", StringComparison.Ordinal)
            .Replace("\r", "", StringComparison.Ordinal)
            .Replace(@"\!", "", StringComparison.Ordinal)      // negative thin space
            .Replace(@"\\", @"\", StringComparison.Ordinal)
            .Replace(@"\tfrac", @"\frac", StringComparison.Ordinal)
            .Replace(@"\dfrac", @"\frac", StringComparison.Ordinal);
        budget.ThrowIfExpired();
        s = s
            .Replace(@"\left", "", StringComparison.Ordinal)
            .Replace(@"\right", "", StringComparison.Ordinal)
            .Replace(@"^{\circ}", "", StringComparison.Ordinal) // degrees
            .Replace(@"^\circ", "", StringComparison.Ordinal)
            .Replace(@"\$", "", StringComparison.Ordinal);
        budget.ThrowIfExpired();

        // MATH writes units as "\text{ cm}" (with a space) after the value: keep only the value.
        int units = s.IndexOf(@"\text{ ", StringComparison.Ordinal);
        if (units >= 0) s = s[..units];

        s = s
            .Replace(@"\%", "", StringComparison.Ordinal)
            .Replace("%", "", StringComparison.Ordinal)
            .Replace(" .", " 0.", StringComparison.Ordinal)   // ".5" means "0.5"
            .Replace("{.", "{0.", StringComparison.Ordinal);
        if (s.Length == 0) return s;
        if (s[0] == '.') s = "0" + s;
        budget.ThrowIfExpired();

        s = DropShortVariablePrefix(s);
        s = WrapSqrtArgument(s, budget);
        s = s.Replace(" ", "", StringComparison.Ordinal);
        s = WrapFracArguments(s, budget);
        if (s == "0.5") s = @"\frac{1}{2}";
        return SlashToFrac(s);
    }

    /// <summary>"x = 3", "k=3" → "3": exactly one "=" whose left side is at most two characters.</summary>
    private static string DropShortVariablePrefix(string s)
    {
        int eq = s.IndexOf('=');
        if (eq < 0 || eq > 2 || s.IndexOf('=', eq + 1) >= 0) return s;
        return s[(eq + 1)..];
    }

    /// <summary>"\sqrt2" → "\sqrt{2}", "\sqrt\pi" → "\sqrt{\pi}".</summary>
    private static string WrapSqrtArgument(string s, VerificationBudget budget)
    {
        const string Sqrt = @"\sqrt";
        if (!s.Contains(Sqrt, StringComparison.Ordinal)) return s;
        var sb = new StringBuilder(s.Length + 16);
        int pos = 0;
        while (true)
        {
            budget.Tick();
            int at = s.IndexOf(Sqrt, pos, StringComparison.Ordinal);
            if (at < 0) break;
            int after = at + Sqrt.Length;
            sb.Append(s, pos, after - pos);
            int arg = after;
            while (arg < s.Length && s[arg] == ' ') arg++;
            if (arg >= s.Length || s[arg] is '{' or '[' || char.IsAsciiLetter(s[arg]) && arg == after)
            {
                // Already braced, an index "[3]", the end, or part of a longer command ("\sqrtx"
                // is not "\sqrt x"): nothing to wrap.
                pos = after;
                continue;
            }
            int tokenEnd = TokenEnd(s, arg);
            sb.Append('{').Append(s, arg, tokenEnd - arg).Append('}');
            pos = tokenEnd;
        }
        sb.Append(s, pos, s.Length - pos);
        return sb.ToString();
    }

    /// <summary>"\frac12" → "\frac{1}{2}", "\frac1{72}" → "\frac{1}{72}", "\frac\pi2" → "\frac{\pi}{2}".</summary>
    private static string WrapFracArguments(string s, VerificationBudget budget)
    {
        const string Frac = @"\frac";
        if (!s.Contains(Frac, StringComparison.Ordinal)) return s;
        var sb = new StringBuilder(s.Length + 16);
        int pos = 0;
        while (true)
        {
            budget.Tick();
            int at = s.IndexOf(Frac, pos, StringComparison.Ordinal);
            if (at < 0) break;
            int after = at + Frac.Length;
            sb.Append(s, pos, after - pos);
            pos = after;
            if (after >= s.Length || s[after] == '{') continue;

            int aEnd = TokenEnd(s, after);
            if (aEnd >= s.Length) continue; // "\frac1" has no denominator: leave it as written
            sb.Append('{').Append(s, after, aEnd - after).Append('}');
            pos = aEnd;
            if (s[aEnd] == '{') continue;    // "\frac1{72}": the denominator is already braced
            int bEnd = TokenEnd(s, aEnd);
            sb.Append('{').Append(s, aEnd, bEnd - aEnd).Append('}');
            pos = bEnd;
        }
        sb.Append(s, pos, s.Length - pos);
        return sb.ToString();
    }

    /// <summary>End of one argument token at <paramref name="i"/>: a command "\name" or one character.</summary>
    private static int TokenEnd(string s, int i)
    {
        if (s[i] == '\\' && i + 1 < s.Length && char.IsAsciiLetter(s[i + 1]))
        {
            int j = i + 1;
            while (j < s.Length && char.IsAsciiLetter(s[j])) j++;
            return j;
        }
        // Keep a surrogate pair together so Unicode input cannot be split into invalid halves.
        return char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) ? i + 2 : i + 1;
    }

    /// <summary>"3/4" → "\frac{3}{4}" when both sides are plain integers written canonically.</summary>
    private static string SlashToFrac(string s)
    {
        int slash = s.IndexOf('/');
        if (slash < 0 || s.IndexOf('/', slash + 1) >= 0) return s;
        string a = s[..slash], b = s[(slash + 1)..];
        return IsCanonicalInteger(a) && IsCanonicalInteger(b) ? $@"\frac{{{a}}}{{{b}}}" : s;
    }

    private static bool IsCanonicalInteger(string t)
    {
        int i = t.StartsWith('-') ? 1 : 0;
        if (i == t.Length) return false;
        for (int j = i; j < t.Length; j++)
            if (!char.IsAsciiDigit(t[j])) return false;
        if (t.Length - i > 1 && t[i] == '0') return false; // "01/2" is not how an integer is written
        return t != "-0";
    }
}

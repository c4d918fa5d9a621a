namespace Apo.Tasks.Verifiers;

/// <summary>
/// Finds the final answer a model (or a MATH reference solution) put in <c>\boxed{…}</c>.
/// </summary>
public static class BoxedAnswer
{
    private const string Boxed = @"\boxed";
    private const string Fbox = @"\fbox";

    /// <summary>
    /// Content of the LAST box in <paramref name="text"/>: <c>\boxed{…}</c> or <c>\fbox{…}</c>
    /// (brace-matched, nested braces kept, escaped <c>\{ \}</c> ignored for matching) or the
    /// space form <c>\boxed 5</c> (up to the next <c>$</c> or whitespace).
    /// Returns null when there is no box, or when the last box is never closed (a truncated
    /// response has not committed to an answer, so an earlier box must not stand in for it).
    /// For nested boxes the innermost last one wins (<c>\boxed{\boxed{5}}</c> gives 5).
    /// Runs in time linear in the text length.
    /// </summary>
    public static string? ExtractLast(string? text) => ExtractLast(text, VerificationBudget.Unlimited);

    /// <summary><see cref="ExtractLast(string?)"/> that checks a time budget while scanning.</summary>
    public static string? ExtractLast(string? text, VerificationBudget budget)
    {
        if (string.IsNullOrEmpty(text)) return null;
        // Each keyword's next candidate is searched only in the region left of the one just
        // rejected, so every character is visited a bounded number of times even when the text
        // holds thousands of "\boxedx"-like non-boxes.
        int boxedAt = LastBefore(text, Boxed, text.Length);
        int fboxAt = LastBefore(text, Fbox, text.Length);
        while (boxedAt >= 0 || fboxAt >= 0)
        {
            budget.Tick();
            bool isBoxed = boxedAt > fboxAt;
            int start = isBoxed ? boxedAt : fboxAt;
            var parsed = ParseBoxAt(text, start + (isBoxed ? Boxed.Length : Fbox.Length), budget);
            if (parsed.IsBox) return parsed.Content;
            // Not a box at all (e.g. "\boxedin" or "\boxed" at the very end): look further left.
            if (isBoxed) boxedAt = LastBefore(text, Boxed, start);
            else fboxAt = LastBefore(text, Fbox, start);
        }
        return null;
    }

    private static int LastBefore(string text, string keyword, int end) =>
        end <= 0 ? -1 : text.LastIndexOf(keyword, end - 1, end, StringComparison.Ordinal);

    private readonly record struct Parse(bool IsBox, string? Content);

    /// <summary>Parses what follows a box keyword; <c>pos</c> is just past the keyword.</summary>
    private static Parse ParseBoxAt(string text, int pos, VerificationBudget budget)
    {
        int i = pos;
        while (i < text.Length && char.IsWhiteSpace(text[i])) { i++; budget.Tick(); }
        bool sawSpace = i > pos;
        if (i >= text.Length) return new(false, null);

        if (text[i] == '{')
        {
            int close = MatchingBrace(text, i, budget);
            return close < 0 ? new(true, null) : new(true, text.Substring(i + 1, close - i - 1));
        }
        // A letter straight after the keyword means another command name such as "\boxedin".
        if (!sawSpace) return new(false, null);

        int end = i;
        while (end < text.Length && text[end] != '$' && !char.IsWhiteSpace(text[end])) { end++; budget.Tick(); }
        return end == i ? new(false, null) : new(true, text.Substring(i, end - i));
    }

    /// <summary>Index of the brace closing the one at <paramref name="open"/>, or -1.</summary>
    private static int MatchingBrace(string text, int open, VerificationBudget budget)
    {
        int depth = 0;
        for (int i = open; i < text.Length; i++)
        {
            budget.Tick();
            char c = text[i];
            if (c == '\\') { i++; continue; } // \{ \} \\ are literals, not grouping
            if (c == '{') depth++;
            else if (c == '}' && --depth == 0) return i;
        }
        return -1;
    }
}

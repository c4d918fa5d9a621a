namespace Apo.Tasks.Verifiers;

/// <summary>
/// Finds the final answer a model (or a MATH reference solution) put in <c>\boxed{…}</c>.
/// </summary>
public static class BoxedAnswer
{
    private static readonly string[] Keywords = [@"\boxed", @"\fbox"];

    /// <summary>
    /// Content of the LAST box in <paramref name="text"/>: <c>\boxed{…}</c> or <c>\fbox{…}</c>
    /// (brace-matched, nested braces kept, escaped <c>\{ \}</c> ignored for matching) or the
    /// space form <c>\boxed 5</c> (up to the next <c>$</c> or whitespace).
    /// Returns null when there is no box, or when the last box is never closed (a truncated
    /// response has not committed to an answer, so an earlier box must not stand in for it).
    /// Runs in time linear in the text length.
    /// </summary>
    public static string? ExtractLast(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        int searchEnd = text.Length; // exclusive end of the region still to search
        while (searchEnd > 0)
        {
            int start = -1, keywordLength = 0;
            foreach (var keyword in Keywords)
            {
                int at = text.LastIndexOf(keyword, searchEnd - 1, searchEnd, StringComparison.Ordinal);
                if (at > start) { start = at; keywordLength = keyword.Length; }
            }
            if (start < 0) return null;

            var parsed = ParseBoxAt(text, start + keywordLength);
            if (parsed.IsBox) return parsed.Content;
            // Not a box at all (e.g. "\boxedin" or "\boxed" at the very end): look further left.
            searchEnd = start;
        }
        return null;
    }

    private readonly record struct Parse(bool IsBox, string? Content);

    /// <summary>Parses what follows a box keyword; <c>pos</c> is just past the keyword.</summary>
    private static Parse ParseBoxAt(string text, int pos)
    {
        int i = pos;
        while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
        bool sawSpace = i > pos;
        if (i >= text.Length) return new(false, null);

        if (text[i] == '{')
        {
            int close = MatchingBrace(text, i);
            return close < 0 ? new(true, null) : new(true, text.Substring(i + 1, close - i - 1));
        }
        // A letter straight after the keyword means another command name such as "\boxedin".
        if (!sawSpace) return new(false, null);

        int end = i;
        while (end < text.Length && text[end] != '$' && !char.IsWhiteSpace(text[end])) end++;
        return end == i ? new(false, null) : new(true, text.Substring(i, end - i));
    }

    /// <summary>Index of the brace closing the one at <paramref name="open"/>, or -1.</summary>
    private static int MatchingBrace(string text, int open)
    {
        int depth = 0;
        for (int i = open; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\\') { i++; continue; } // \{ \} \\ are literals, not grouping
            if (c == '{') depth++;
            else if (c == '}' && --depth == 0) return i;
        }
        return -1;
    }
}

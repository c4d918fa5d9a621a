using System.Text.RegularExpressions;

namespace Apo.Model.Text;

/// <summary>
/// Qwen2's pre-tokenizer: the regex that cuts text into pieces before byte-level BPE merges
/// run inside each piece. .NET matches UTF-16 code units, so a letter outside the Basic
/// Multilingual Plane counts as "not a letter" here (Hugging Face matches code points); that
/// only changes how such rare text is split, never what it decodes to.
/// </summary>
public static partial class Qwen2PreTokenizer
{
    /// <summary>The pattern, exactly as in Qwen2's tokenizer.json.</summary>
    public const string Pattern =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>The compiled pattern (source-generated, shared, thread-safe).</summary>
    [GeneratedRegex(Pattern)]
    public static partial Regex Regex();

    /// <summary>The pieces the regex cuts <paramref name="text"/> into, in order (no normalization applied).</summary>
    public static IReadOnlyList<string> Split(string text) =>
        Regex().Matches(text).Select(m => m.Value).ToArray();
}

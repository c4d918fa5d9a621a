using System.Text.RegularExpressions;

namespace Apo.Model.Text;

/// <summary>
/// Qwen2's pre-tokenizer: the regex that cuts text into pieces before byte-level BPE merges
/// run inside each piece.
/// </summary>
/// <remarks>
/// Hugging Face matches <see cref="Pattern"/> on code points; .NET matches UTF-16 code units, so
/// <see cref="Regex"/> runs <see cref="DotNetPattern"/>, which lets a surrogate pair (emoji and
/// other characters beyond U+FFFF) be the optional one-character prefix of a word, as it is in
/// Hugging Face ("😀a" is one piece). Remaining difference: .NET cannot see that a character beyond
/// U+FFFF is a letter or digit (e.g. 𝐀, 𠀀, 𝟙), so those are split like symbols. That only changes
/// how such rare text is cut, never what it decodes to.
/// </remarks>
public static partial class Qwen2PreTokenizer
{
    /// <summary>The pattern, exactly as in Qwen2's tokenizer.json.</summary>
    public const string Pattern =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>
    /// <see cref="Pattern"/> for UTF-16: the optional prefix <c>[^\r\n\p{L}\p{N}]</c> becomes
    /// "one such BMP character, or one surrogate pair". The other classes already keep pairs whole.
    /// </summary>
    public const string DotNetPattern =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|(?:[^\r\n\p{L}\p{N}\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>The compiled <see cref="DotNetPattern"/> (source-generated, shared, thread-safe).</summary>
    [GeneratedRegex(DotNetPattern)]
    public static partial Regex Regex();

    /// <summary>The pieces the regex cuts <paramref name="text"/> into, in order (no normalization applied).</summary>
    public static IReadOnlyList<string> Split(string text) =>
        Regex().Matches(text).Select(m => m.Value).ToArray();
}

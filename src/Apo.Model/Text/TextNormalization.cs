using System.Text;

namespace Apo.Model.Text;

/// <summary>
/// What the tokenizer does to text before pre-tokenization: lone UTF-16 surrogates (which have
/// no UTF-8 form) become U+FFFD, then the text is put in Unicode NFC, as Qwen2's tokenizer does.
/// So decode(encode(s)) == Normalize(s): exact for NFC text without lone surrogates.
/// </summary>
public static class TextNormalization
{
    /// <summary>Replaces lone surrogates by U+FFFD and applies NFC.</summary>
    public static string Normalize(string text)
    {
        string wellFormed = ReplaceLoneSurrogates(text);
        return wellFormed.IsNormalized(NormalizationForm.FormC) ? wellFormed : wellFormed.Normalize(NormalizationForm.FormC);
    }

    /// <summary>Replaces every unpaired UTF-16 surrogate by U+FFFD (the same as UTF-8 encoding with replacement).</summary>
    public static string ReplaceLoneSurrogates(string text)
    {
        int firstBad = FindLoneSurrogate(text, 0);
        if (firstBad < 0) return text;
        var chars = text.ToCharArray();
        for (int i = firstBad; i >= 0; i = FindLoneSurrogate(text, i + 1)) chars[i] = '\uFFFD';
        return new string(chars);
    }

    private static int FindLoneSurrogate(string text, int start)
    {
        for (int i = start; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { i++; continue; }
                return i;
            }
            if (char.IsLowSurrogate(c)) return i;
        }
        return -1;
    }
}

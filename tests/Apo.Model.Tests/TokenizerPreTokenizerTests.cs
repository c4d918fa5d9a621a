using Apo.Model.Text;

namespace Apo.Model.Tests;

/// <summary>
/// The regex's alternatives, in order: (1) contractions 's 't 're 've 'm 'll 'd, any case;
/// (2) an optional non-letter/digit/newline char then letters; (3) one digit; (4) optional space,
/// a run of symbols, trailing newlines; (5) whitespace ending in newlines; (6) whitespace not
/// followed by a non-space; (7) whitespace. Expectations below are derived by walking them.
/// </summary>
public class TokenizerPreTokenizerTests
{
    [Fact]
    public void Contraction_digits_words_and_punctuation()
    {
        // "I" (2: letters, "'" stops it) | "'m" (1) | " " (3–6 fail as '1' follows, 7 takes the space)
        // | "1" | "2" (3: one digit each) | " cats" (2: space prefix + letters) | "!!\n" (4: symbols + newline)
        Assert.Equal(["I", "'m", " ", "1", "2", " cats", "!!\n"], Qwen2PreTokenizer.Split("I'm 12 cats!!\n"));
    }

    [Fact]
    public void Whitespace_runs_leave_their_last_space_to_the_next_word()
    {
        // "  world": 6 takes one space (the second is followed by 'w'), then 2 takes " world".
        // "\n\n  x": 5 takes "\n\n" (backtracking off the spaces), 6 then 2 as before.
        Assert.Equal(["Hello", " ", " world", "\n\n", " ", " x"], Qwen2PreTokenizer.Split("Hello  world\n\n  x"));
    }

    [Fact]
    public void Trailing_whitespace_tabs_and_carriage_returns()
    {
        // "a" | "  " (6: nothing follows, so the lookahead holds)
        Assert.Equal(["a", "  "], Qwen2PreTokenizer.Split("a  "));
        // A tab is a valid prefix for 2: "\tx"; "\r\n" then goes to 5.
        Assert.Equal(["\tx", "\r\n", "y"], Qwen2PreTokenizer.Split("\tx\r\ny"));
    }

    [Fact]
    public void Contractions_ignore_case_and_numbers_split_per_digit()
    {
        Assert.Equal(["DON", "'T", " it", "'s"], Qwen2PreTokenizer.Split("DON'T it's"));
        Assert.Equal(["2", "0", "2", "4", "."], Qwen2PreTokenizer.Split("2024."));
        // 4: " $" then 3 for the digits, "," alone by 4, "." by 4.
        Assert.Equal([" $", "1", ",", "5", "0", "0", "."], Qwen2PreTokenizer.Split(" $1,500."));
    }

    [Fact]
    public void Surrogate_pairs_stay_whole_and_an_emoji_can_prefix_a_word()
    {
        // As in Hugging Face (code points): 2 takes the emoji as its one-character prefix.
        Assert.Equal(["😀a", " b"], Qwen2PreTokenizer.Split("😀a b"));
        // 4: a symbol run of two emoji (four UTF-16 units), then 2 for " ok".
        Assert.Equal([" 👍🏽", " ok"], Qwen2PreTokenizer.Split(" 👍🏽 ok"));
        // No piece ever ends between the two halves of a pair.
        var random = new Random(3);
        for (int n = 0; n < 200; n++)
        {
            string text = string.Concat(Enumerable.Range(0, 12).Select(_ => random.Next(4) switch
            {
                0 => "😀", 1 => " ", 2 => "a", _ => "\n",
            }));
            foreach (string piece in Qwen2PreTokenizer.Split(text))
                Assert.False(char.IsHighSurrogate(piece[^1]) || char.IsLowSurrogate(piece[0]), piece);
            Assert.Equal(text, string.Concat(Qwen2PreTokenizer.Split(text)));
        }
    }

    [Fact]
    public void Merges_never_cross_piece_boundaries()
    {
        // Merges "m"+"Ġ" (id 256) and "Ġ"+"c" (id 257). In "I'm cats" the regex cuts "'m" from
        // " cats", so "mĠ" must not form while "Ġc" does: I ' m | Ġc a t s.
        var vocabulary = TokenizerFixtures.ByteVocabulary();
        vocabulary.Add("mĠ", 256);
        vocabulary.Add("Ġc", 257);
        var tokenizer = TextTokenizer.Create(vocabulary, [("m", "Ġ"), ("Ġ", "c")], TokenizerFixtures.QwenSpecials(258));
        // 'I' = 73 − 33 = 40, '\'' = 39 − 33 = 6, 'm' = 109 − 33 = 76, 'a' = 64, 't' = 83, 's' = 82.
        Assert.Equal([40, 6, 76, 257, 64, 83, 82], tokenizer.Encode("I'm cats"));
        // "m " is cut into "m" and " " too (a letter run never takes a trailing space): [m, Ġ].
        Assert.Equal([76, 220], tokenizer.Encode("m "));
    }
}

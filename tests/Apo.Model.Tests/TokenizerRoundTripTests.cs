using System.Text;
using Apo.Model.Text;

namespace Apo.Model.Tests;

/// <summary>
/// decode(encode(s)) == NFC(s) for any text: exact for NFC text, and lone surrogates (which
/// have no UTF-8 form) become U+FFFD — the documented choice, see <see cref="TextNormalization"/>.
/// </summary>
public class TokenizerRoundTripTests
{
    private static readonly TextTokenizer Trained = BpeTrainer.Train(TokenizerFixtures.WordProblems(300, seed: 1), 400);

    public static TheoryData<string> Texts => new()
    {
        "",
        "plain ascii, with punctuation!?",
        "emoji 👍🏽 family 👨‍👩‍👧 flag 🇯🇵 and 😀a",
        "CJK 你好，世界。日本語のテキスト 한국어",
        "q\u0301 x\u0323\u0302 (combining marks with no precomposed form)",
        "windows\r\nlines\r\n\r\nand\ttabs\t\tand\u000bvertical",
        "long runs:" + new string(' ', 200) + "x" + new string('\n', 50) + new string('\t', 30),
        "astral letters 𝐀𝐁 𠀀 and digits 𝟙𝟚",
        "zero width\u200bspace, nbsp\u00a0here, rtl \u05e9\u05dc\u05d5\u05dd",
        "control \u0000 \u0001 \u007f chars",
        "it's DON'T they'll we've I'd",
        "Tom has 12 apples. #### 12",
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void Round_trips_with_trained_and_bytes_only_vocabularies(string text)
    {
        Assert.True(text.IsNormalized(NormalizationForm.FormC)); // exact round trip is promised for NFC text
        Assert.Equal(text, Trained.Decode(Trained.Encode(text)));
        var bytes = TokenizerFixtures.BytesOnlyTokenizer();
        var ids = bytes.Encode(text);
        Assert.Equal(Encoding.UTF8.GetByteCount(text), ids.Count); // one token per UTF-8 byte
        Assert.Equal(text, bytes.Decode(ids));
    }

    [Fact]
    public void Random_strings_round_trip_up_to_nfc()
    {
        var random = new Random(12345);
        (int From, int To)[] ranges =
        [
            (0x20, 0x7E), (0x00, 0x1F), (0xA0, 0x24F), (0x300, 0x36F), (0x590, 0x6FF),
            (0x3040, 0x30FF), (0x4E00, 0x4FFF), (0xAC00, 0xAD00), (0x1F300, 0x1F64F), (0x20000, 0x200FF),
        ];
        for (int n = 0; n < 300; n++)
        {
            var text = new StringBuilder();
            int length = random.Next(0, 40);
            for (int i = 0; i < length; i++)
            {
                var (from, to) = ranges[random.Next(ranges.Length)];
                text.Append(char.ConvertFromUtf32(random.Next(from, to + 1)));
                if (random.Next(8) == 0) text.Append(' ', random.Next(1, 5));
            }
            string s = text.ToString();
            string expected = s.Normalize(NormalizationForm.FormC);
            Assert.Equal(expected, Trained.Decode(Trained.Encode(s)));
        }
    }

    [Fact]
    public void Non_nfc_text_comes_back_composed()
    {
        // e + COMBINING ACUTE composes to é (U+00E9), as Qwen2's tokenizer normalizes to NFC.
        Assert.Equal("caf\u00e9", Trained.Decode(Trained.Encode("cafe\u0301")));
        Assert.Equal(Trained.Encode("caf\u00e9"), Trained.Encode("cafe\u0301"));
    }

    [Fact]
    public void Lone_surrogates_become_replacement_characters()
    {
        Assert.Equal("a\uFFFDb", Trained.Decode(Trained.Encode("a\uD800b")));
        Assert.Equal("\uFFFD\uFFFD", Trained.Decode(Trained.Encode("\uDC00\uD800")));
        Assert.Equal("x\uFFFD", Trained.Decode(Trained.Encode("x\uD83D")));
        // Same ids as writing U+FFFD directly (its UTF-8 bytes EF BF BD).
        Assert.Equal(Trained.Encode("a\uFFFDb"), Trained.Encode("a\uD800b"));
    }

    [Fact]
    public void A_character_cut_between_tokens_decodes_to_replacement_characters()
    {
        var bytes = TokenizerFixtures.BytesOnlyTokenizer();
        var ids = bytes.Encode("€"); // E2 82 AC
        Assert.Equal(3, ids.Count);
        Assert.Equal("\uFFFD", bytes.Decode(ids.Take(2)));
        Assert.Equal("€", bytes.Decode(ids));
    }

    [Fact]
    public void Ids_outside_the_vocabulary_are_skipped()
    {
        var ids = Trained.Encode("hi").Append(Trained.VocabSize + 5).Append(-1);
        Assert.Equal("hi", Trained.Decode(ids));
    }
}

using Apo.Model.Text;

namespace Apo.Model.Tests;

/// <summary>A vocabulary small enough to encode by hand (see <see cref="TokenizerFixtures"/> for the byte ids).</summary>
public class TokenizerHandBuiltTests
{
    private readonly TextTokenizer _cat = TokenizerFixtures.CatTokenizer();

    [Fact]
    public void Byte_symbols_have_gpt2_ids()
    {
        var vocabulary = TokenizerFixtures.ByteVocabulary();
        // GPT-2 (and Qwen2) number "!" 0, "Ċ" (newline) 198, "Ġ" (space) 220.
        Assert.Equal(0, vocabulary["!"]);
        Assert.Equal(198, vocabulary["Ċ"]);
        Assert.Equal(220, vocabulary["Ġ"]);
        Assert.Equal('Ġ', ByteLevelAlphabet.ByteToChar(32));
        Assert.True(ByteLevelAlphabet.TryCharToByte('Ċ', out byte newline) && newline == 10);
    }

    [Fact]
    public void Encodes_to_hand_derived_ids()
    {
        // " cat cats cab" -> pieces " cat", " cats", " cab".
        // " cat":  Ġ c a t -> rank 0 (Ġ,c): Ġc a t -> rank 1 (a,t): Ġc at -> rank 2: Ġcat      = [258]
        // " cats": same, then s stays                                                          = [258, 82]
        // " cab":  Ġ c a b -> rank 0: Ġc a b; (Ġc,a) and (a,b) are no merges; (c,a) is gone  = [256, 64, 65]
        Assert.Equal([258, 258, 82, 256, 64, 65], _cat.Encode(" cat cats cab"));
    }

    [Fact]
    public void Merges_apply_by_rank_not_left_to_right()
    {
        // "cat": (c,a) has rank 3, (a,t) rank 1, so "at" forms first and "ca" never can: [c, at].
        Assert.Equal([66, 257], _cat.Encode("cat"));
        // "cab": only (c,a) applies: [ca, b].
        Assert.Equal([259, 65], _cat.Encode("cab"));
    }

    [Fact]
    public void Reports_sizes_and_special_ids()
    {
        Assert.Equal(263, _cat.VocabSize);
        Assert.Equal(260, _cat.EndOfTextId);
        Assert.Equal(261, _cat.ImStartId);
        Assert.Equal(262, _cat.ImEndId);
        Assert.Equal(260, _cat.PadId);
        Assert.Equal(260, _cat.EosId);
        Assert.True(_cat.IsSpecial(261));
        Assert.False(_cat.IsSpecial(258));
        Assert.Equal("Ġcat", _cat.IdToToken(258));
        Assert.Equal(258, _cat.TokenToId("Ġcat"));
        Assert.Equal(262, _cat.TokenToId("<|im_end|>"));
    }

    [Fact]
    public void Decodes_hand_built_ids()
    {
        Assert.Equal(" cat cats cab", _cat.Decode([258, 258, 82, 256, 64, 65]));
        // 220 is the space byte, 198 the newline byte.
        Assert.Equal(" \n", _cat.Decode([220, 198]));
    }

    [Fact]
    public void Inconsistent_parts_are_rejected()
    {
        var vocabulary = TokenizerFixtures.ByteVocabulary();
        var missingMerged = Assert.Throws<ArgumentException>(() =>
            TextTokenizer.Create(vocabulary, [("a", "t")], TokenizerFixtures.QwenSpecials(256)));
        Assert.Contains("\"at\"", missingMerged.Message);

        vocabulary.Remove("Ġ");
        var missingByte = Assert.Throws<ArgumentException>(() =>
            TextTokenizer.Create(vocabulary, [], TokenizerFixtures.QwenSpecials(256)));
        Assert.Contains("0x20", missingByte.Message);

        var noEndOfText = Assert.Throws<ArgumentException>(() =>
            TextTokenizer.Create(TokenizerFixtures.ByteVocabulary(), [], [new AddedToken(256, "<|im_start|>")]));
        Assert.Contains("<|endoftext|>", noEndOfText.Message);
    }
}

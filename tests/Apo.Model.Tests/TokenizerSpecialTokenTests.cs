using Apo.Model.Text;

namespace Apo.Model.Tests;

public class TokenizerSpecialTokenTests
{
    private readonly TextTokenizer _cat = TokenizerFixtures.CatTokenizer();

    [Fact]
    public void Special_tokens_are_single_ids_inside_text()
    {
        Assert.Equal([261], _cat.Encode("<|im_start|>"));
        // "<|im_start|>cat<|im_end|><|endoftext|>": the specials are cut out first, "cat" encodes as [c, at].
        Assert.Equal([261, 66, 257, 262, 260], _cat.Encode("<|im_start|>cat<|im_end|><|endoftext|>"));
        // Text around a special is pre-tokenized on its own: " cat" before it still merges to Ġcat.
        Assert.Equal([258, 260, 258], _cat.Encode(" cat<|endoftext|> cat"));
    }

    [Fact]
    public void Almost_special_strings_are_plain_text()
    {
        var ids = _cat.Encode("<|im_start|");
        Assert.DoesNotContain(261, ids);
        Assert.Equal("<|im_start|".Length, ids.Count); // ASCII bytes, no merges apply
    }

    [Fact]
    public void Skip_special_tokens_drops_only_special_ones()
    {
        var ids = _cat.Encode("<|im_start|>cat<|im_end|>");
        Assert.Equal("<|im_start|>cat<|im_end|>", _cat.Decode(ids));
        Assert.Equal("cat", _cat.Decode(ids, skipSpecialTokens: true));

        // A non-special added token is still one id but survives skipping, as in Hugging Face.
        var vocabulary = TokenizerFixtures.ByteVocabulary();
        var added = TokenizerFixtures.QwenSpecials(256).Append(new AddedToken(259, "<tool_call>", Special: false)).ToArray();
        var tokenizer = TextTokenizer.Create(vocabulary, [], added);
        var withTool = tokenizer.Encode("<tool_call>x<|im_end|>");
        Assert.Equal([259, 'x' - 33, 258], withTool);
        Assert.Equal("<tool_call>x", tokenizer.Decode(withTool, skipSpecialTokens: true));
        Assert.False(tokenizer.IsSpecial(259));
    }

    [Fact]
    public void The_longest_added_token_wins_when_one_is_a_prefix_of_another()
    {
        // "<|a|>" (id 259) is listed before "<|a|>b" (id 260); in "<|a|>b!" the longer one must match.
        var added = TokenizerFixtures.QwenSpecials(256)
            .Append(new AddedToken(259, "<|a|>")).Append(new AddedToken(260, "<|a|>b")).ToArray();
        var tokenizer = TextTokenizer.Create(TokenizerFixtures.ByteVocabulary(), [], added);
        Assert.Equal([260, 0], tokenizer.Encode("<|a|>b!")); // '!' is byte id 0
        Assert.Equal([259, 'c' - 33], tokenizer.Encode("<|a|>c"));
    }

    [Fact]
    public void Added_token_contents_outside_ascii_decode_intact()
    {
        var added = TokenizerFixtures.QwenSpecials(256).Append(new AddedToken(259, "<|größe|>")).ToArray();
        var tokenizer = TextTokenizer.Create(TokenizerFixtures.ByteVocabulary(), [], added);
        Assert.Equal([259], tokenizer.Encode("<|größe|>"));
        Assert.Equal("a<|größe|>", tokenizer.Decode(tokenizer.Encode("a<|größe|>")));
    }

    [Fact]
    public void Chat_template_is_chatml()
    {
        string text = _cat.ApplyChatTemplate([("system", "Be brief."), ("user", "2+2?")], addGenerationPrompt: true);
        Assert.Equal(
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n",
            text);
        Assert.Equal(3, _cat.Encode(text).Count(id => id == _cat.ImStartId));
        Assert.Equal("<|im_start|>user\nhi<|im_end|>\n", _cat.ApplyChatTemplate([("user", "hi")], addGenerationPrompt: false));
    }

    [Fact]
    public void Chat_template_needs_im_tokens()
    {
        var tokenizer = TextTokenizer.Create(TokenizerFixtures.ByteVocabulary(), [], [new AddedToken(256, "<|endoftext|>")]);
        Assert.Null(tokenizer.ImStartId);
        Assert.Throws<InvalidOperationException>(() => tokenizer.ApplyChatTemplate([("user", "hi")], true));
    }
}

using System.Text.Json;
using Apo.Model.Text;

namespace Apo.Model.Tests;

public class TokenizerFilesTests : IDisposable
{
    private readonly string _dir = TokenizerFixtures.TempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private static void AssertSameTokenizer(TextTokenizer expected, TextTokenizer actual, IEnumerable<string> corpus)
    {
        Assert.Equal(expected.Vocabulary.OrderBy(kv => kv.Value), actual.Vocabulary.OrderBy(kv => kv.Value));
        Assert.Equal(expected.Merges, actual.Merges);
        Assert.Equal(expected.AddedTokens, actual.AddedTokens);
        Assert.Equal(expected.VocabSize, actual.VocabSize);
        Assert.Equal((expected.EndOfTextId, expected.ImStartId, expected.ImEndId, expected.EosId, expected.PadId),
                     (actual.EndOfTextId, actual.ImStartId, actual.ImEndId, actual.EosId, actual.PadId));
        foreach (string text in corpus) Assert.Equal(expected.Encode(text), actual.Encode(text));
    }

    [Fact]
    public void Save_then_load_is_identical_through_tokenizer_json_and_through_vocab_and_merges()
    {
        var corpus = TokenizerFixtures.WordProblems(400, seed: 7);
        var trained = BpeTrainer.Train(corpus, 350);
        trained.Save(_dir);
        foreach (string name in new[] { "vocab.json", "merges.txt", "tokenizer_config.json", "tokenizer.json" })
            Assert.True(File.Exists(PathOf(name)), name);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp", SearchOption.AllDirectories));

        var check = corpus.Take(100).Append("<|im_start|>user\nTom has 3 pens.<|im_end|>\n").Append("emoji 😀 €");
        AssertSameTokenizer(trained, TextTokenizer.Load(_dir), check);

        File.Delete(PathOf("tokenizer.json")); // now vocab.json + merges.txt + tokenizer_config.json
        AssertSameTokenizer(trained, TextTokenizer.Load(_dir), check);

        File.Delete(PathOf("tokenizer_config.json")); // now Qwen2's default specials after the vocabulary
        AssertSameTokenizer(trained, TextTokenizer.Load(_dir), check);
    }

    [Fact]
    public void Saved_files_have_the_hugging_face_shape()
    {
        TokenizerFixtures.CatTokenizer().Save(_dir);
        string[] merges = File.ReadAllLines(PathOf("merges.txt"));
        Assert.Equal(["#version: 0.2", "Ġ c", "a t", "Ġc at", "c a"], merges);

        using var config = JsonDocument.Parse(File.ReadAllText(PathOf("tokenizer_config.json")));
        Assert.Equal("Qwen2Tokenizer", config.RootElement.GetProperty("tokenizer_class").GetString());
        Assert.Equal("<|endoftext|>", config.RootElement.GetProperty("eos_token").GetString());
        Assert.Equal("<|endoftext|>", config.RootElement.GetProperty("pad_token").GetString());
        var decoder = config.RootElement.GetProperty("added_tokens_decoder");
        Assert.Equal("<|im_end|>", decoder.GetProperty("262").GetProperty("content").GetString());
        Assert.True(decoder.GetProperty("262").GetProperty("special").GetBoolean());

        using var full = JsonDocument.Parse(File.ReadAllText(PathOf("tokenizer.json")));
        var model = full.RootElement.GetProperty("model");
        Assert.Equal("BPE", model.GetProperty("type").GetString());
        Assert.Equal(258, model.GetProperty("vocab").GetProperty("Ġcat").GetInt32());
        Assert.Equal("Ġc at", model.GetProperty("merges")[2].GetString());
        Assert.Equal(Qwen2PreTokenizer.Pattern,
            full.RootElement.GetProperty("pre_tokenizer").GetProperty("pretokenizers")[0].GetProperty("pattern").GetProperty("Regex").GetString());

        using var vocab = JsonDocument.Parse(File.ReadAllText(PathOf("vocab.json")));
        Assert.Equal(260, vocab.RootElement.EnumerateObject().Count()); // specials live in added tokens only
    }

    private void WriteTokenizerJson(string mergesJson, string addedTokensJson)
    {
        string vocab = JsonSerializer.Serialize(TokenizerFixtures.ByteVocabulary()
            .Concat(new Dictionary<string, int> { ["Ġc"] = 256, ["at"] = 257, ["Ġcat"] = 258, ["ca"] = 259 })
            .ToDictionary());
        File.WriteAllText(PathOf("tokenizer.json"),
            $$"""{"version": "1.0", "added_tokens": {{addedTokensJson}}, "model": {"type": "BPE", "vocab": {{vocab}}, "merges": {{mergesJson}} } }""");
    }

    private const string QwenAddedTokens = """
        [{"id": 260, "content": "<|endoftext|>", "special": true},
         {"id": 261, "content": "<|im_start|>", "special": true},
         {"id": 262, "content": "<|im_end|>", "special": true}]
        """;

    [Theory]
    [InlineData("""["Ġ c", "a t", "Ġc at", "c a"]""")]
    [InlineData("""[["Ġ", "c"], ["a", "t"], ["Ġc", "at"], ["c", "a"]]""")]
    public void Tokenizer_json_loads_with_either_merge_encoding(string merges)
    {
        WriteTokenizerJson(merges, QwenAddedTokens);
        var loaded = TextTokenizer.Load(_dir);
        // Same hand-derived ids as TokenizerHandBuiltTests.
        Assert.Equal([258, 258, 82, 256, 64, 65], loaded.Encode(" cat cats cab"));
        Assert.Equal([66, 257], loaded.Encode("cat"));
        Assert.Equal(262, loaded.ImEndId);
    }

    [Fact]
    public void Tokenizer_config_sets_eos_and_pad()
    {
        WriteTokenizerJson("""["Ġ c"]""", QwenAddedTokens);
        File.WriteAllText(PathOf("tokenizer_config.json"),
            """{"eos_token": {"__type": "AddedToken", "content": "<|im_end|>"}, "pad_token": null, "tokenizer_class": "Qwen2Tokenizer"}""");
        var loaded = TextTokenizer.Load(_dir);
        Assert.Equal(262, loaded.EosId);
        Assert.Equal(260, loaded.PadId); // pad falls back to <|endoftext|>
    }

    [Fact]
    public void Missing_directory_and_files_are_named()
    {
        string nowhere = Path.Combine(_dir, "nope");
        Assert.Contains(nowhere, Assert.Throws<DirectoryNotFoundException>(() => TextTokenizer.Load(nowhere)).Message);
        File.WriteAllText(PathOf("vocab.json"), "{}");
        var missing = Assert.Throws<FileNotFoundException>(() => TextTokenizer.Load(_dir));
        Assert.Contains("merges.txt", missing.Message);
    }

    private void WriteVocabAndMerges(params string[] mergeLines)
    {
        var vocab = TokenizerFixtures.ByteVocabulary();
        vocab.Add("at", 256);
        File.WriteAllText(PathOf("vocab.json"), JsonSerializer.Serialize(vocab));
        File.WriteAllLines(PathOf("merges.txt"), mergeLines);
    }

    [Fact]
    public void Bad_merge_lines_name_file_and_line()
    {
        WriteVocabAndMerges("#version: 0.2", "a t", "a t c");
        var threeSymbols = Assert.Throws<InvalidDataException>(() => TextTokenizer.Load(_dir));
        Assert.Contains($"{PathOf("merges.txt")} line 3", threeSymbols.Message);

        WriteVocabAndMerges("#version: 0.2", "a t", "", "onlyone");
        Assert.Contains("merges.txt line 4", Assert.Throws<InvalidDataException>(() => TextTokenizer.Load(_dir)).Message);

        WriteVocabAndMerges("a t", "t a");
        var unknown = Assert.Throws<InvalidDataException>(() => TextTokenizer.Load(_dir));
        Assert.Contains("merges.txt line 2", unknown.Message);
        Assert.Contains("\"ta\"", unknown.Message);
    }

    [Fact]
    public void Malformed_json_names_file_and_line()
    {
        WriteVocabAndMerges("a t");
        File.WriteAllText(PathOf("vocab.json"), "{\n  \"a\": 1,\n  \"b\": oops\n}");
        var error = Assert.Throws<InvalidDataException>(() => TextTokenizer.Load(_dir));
        Assert.Contains($"{PathOf("vocab.json")} line 3", error.Message);

        File.WriteAllText(PathOf("vocab.json"), "{\"a\": \"x\"}");
        var notInteger = Assert.Throws<InvalidDataException>(() => TextTokenizer.Load(_dir));
        Assert.Contains("vocab.json", notInteger.Message);
        Assert.Contains("\"a\"", notInteger.Message);
    }

    [Fact]
    public void Bad_tokenizer_json_entries_name_the_field()
    {
        WriteTokenizerJson("""["Ġ c", 7]""", QwenAddedTokens);
        var badMerge = Assert.Throws<InvalidDataException>(() => TextTokenizer.Load(_dir));
        Assert.Contains("tokenizer.json", badMerge.Message);
        Assert.Contains("model.merges[1]", badMerge.Message);

        WriteTokenizerJson("""[["Ġ", "c", "x"]]""", QwenAddedTokens);
        Assert.Contains("model.merges[0]", Assert.Throws<InvalidDataException>(() => TextTokenizer.Load(_dir)).Message);

        WriteTokenizerJson("""["Ġ c"]""", """[{"id": 260, "content": "<|im_start|>"}]""");
        var noEndOfText = Assert.Throws<InvalidDataException>(() => TextTokenizer.Load(_dir));
        Assert.Contains("tokenizer.json", noEndOfText.Message);
        Assert.Contains("<|endoftext|>", noEndOfText.Message);

        File.WriteAllText(PathOf("tokenizer.json"), """{"model": {"type": "WordPiece", "vocab": {}}}""");
        Assert.Contains("WordPiece", Assert.Throws<InvalidDataException>(() => TextTokenizer.Load(_dir)).Message);
    }
}

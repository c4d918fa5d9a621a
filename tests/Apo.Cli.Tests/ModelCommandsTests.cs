using System.Text.Json.Nodes;

namespace Apo.Cli.Tests;

/// <summary>init-model, generate and logprob through the real program, good and bad input.</summary>
public class ModelCommandsTests : IClassFixture<ModelCommandsTests.InitialisedModel>
{
    public sealed class InitialisedModel : IDisposable
    {
        public TempDirectory Dir { get; } = new();
        public string ModelPath => Dir.File("model");
        public string ConfigPath { get; }

        public InitialisedModel()
        {
            ConfigPath = Dir.Write("config.json", """
                {"vocab_size": 512, "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 256,
                 "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "tie_word_embeddings": true, "torch_dtype": "float32"}
                """);
            var result = ApoProcess.Run("init-model", "--config", ConfigPath, "--seed", "3", "--out", ModelPath);
            if (result.ExitCode != 0) throw new InvalidOperationException(result.StdErr);
        }

        public void Dispose() => Dir.Dispose();
    }

    readonly InitialisedModel fixture;

    public ModelCommandsTests(InitialisedModel fixture) => this.fixture = fixture;

    [Fact]
    public void InitModelWritesAHuggingFaceDirectoryAndRefusesToOverwriteIt()
    {
        foreach (string file in new[] { "config.json", "model.safetensors", "vocab.json", "merges.txt", "tokenizer.json", "tokenizer_config.json" })
            Assert.True(File.Exists(Path.Combine(fixture.ModelPath, file)), file);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(fixture.ModelPath, "config.json")))!;
        Assert.Equal("qwen2", (string?)config["model_type"]);

        var again = ApoProcess.Run("init-model", "--config", fixture.ConfigPath, "--out", fixture.ModelPath);
        again.AssertBadInput(fixture.ModelPath, "--force");
    }

    [Fact]
    public void GenerateIsRepeatableForASeedAndItsLogProbsMatchTeacherForcedScoring()
    {
        string[] args = ["generate", "--model", fixture.ModelPath, "--prompt", "Mia has 7 pens.", "--n", "3", "--max-new-tokens", "12", "--seed", "5", "--json"];
        var first = ApoProcess.Run(args);
        var second = ApoProcess.Run(args);
        Assert.Equal(0, first.ExitCode);
        Assert.Equal(first.StdOut, second.StdOut);
        var samples = first.Lines.Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(3, samples.Count);

        // At temperature 1 with no filtering, sampling log-probs are the model's own log-probs:
        // scoring the same ids with teacher forcing must give the same numbers.
        using var dir = new TempDirectory();
        var promptIds = Tokenize(fixture.ModelPath, "Mia has 7 pens.");
        string input = dir.Write("in.jsonl", string.Join('\n', samples.Select(s =>
            new JsonObject { ["prompt_ids"] = ToArray(promptIds), ["response_ids"] = s["token_ids"]!.DeepClone() }.ToJsonString())));
        var scored = ApoProcess.Run("logprob", "--model", fixture.ModelPath, "--in", input);
        Assert.Equal(0, scored.ExitCode);
        var scores = scored.Lines.Select(l => JsonNode.Parse(l)!).ToList();
        for (int i = 0; i < samples.Count; i++)
        {
            var sampled = samples[i]["logprobs"]!.AsArray().Select(v => (double)v!).ToArray();
            var forced = scores[i]["token_logprobs"]!.AsArray().Select(v => (double)v!).ToArray();
            Assert.Equal(sampled.Length, (int)scores[i]["n_tokens"]!);
            for (int t = 0; t < sampled.Length; t++) Assert.Equal(sampled[t], forced[t], 3);
            Assert.Equal(forced.Sum(), (double)scores[i]["logprob"]!, 3);
        }
    }

    [Fact]
    public void LogProbAcceptsTextAndIdsAndAnEmptyResponseScoresZero()
    {
        using var dir = new TempDirectory();
        string input = dir.Write("in.jsonl", string.Join('\n',
            """{"prompt": "Tom has 3 cats.", "response": " He buys 2 more."}""",
            """{"prompt_ids": [10, 11, 12], "response_ids": []}"""));
        var result = ApoProcess.Run("logprob", "--model", fixture.ModelPath, "--in", input);
        Assert.Equal(0, result.ExitCode);
        var rows = result.Lines.Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(2, rows.Count);
        Assert.True((int)rows[0]["n_tokens"]! > 0);
        Assert.True((double)rows[0]["logprob"]! < 0);
        Assert.Equal(0, (int)rows[1]["n_tokens"]!);
        Assert.Equal(0.0, (double)rows[1]["logprob"]!);
    }

    [Theory]
    [InlineData("""{"prompt_ids": [1, 2], "response_ids": [3, 9999]}""", "line 2: field \"response_ids\"[1] = 9999 is outside the vocabulary")]
    [InlineData("""{"prompt": "x"}""", "line 2: field \"response\" is missing")]
    [InlineData("""{"prompt": "x", "response": """, "line 2: not valid JSON")]
    [InlineData("""{"prompt_ids": [1, "a"], "response_ids": [3]}""", "line 2: field \"prompt_ids\"[1] is not an integer")]
    public void BadLogProbInputNamesTheLineAndField(string badLine, string expected)
    {
        using var dir = new TempDirectory();
        string input = dir.Write("in.jsonl", """{"prompt": "a", "response": "b"}""" + "\n" + badLine + "\n");
        var result = ApoProcess.Run("logprob", "--model", fixture.ModelPath, "--in", input);
        result.AssertBadInput("in.jsonl", expected);
        Assert.Equal("", result.StdOut);
    }

    [Fact]
    public void BadModelDirectoriesAndConfigsAreClearErrors()
    {
        using var dir = new TempDirectory();
        var missing = ApoProcess.Run("generate", "--model", dir.File("nope"), "--prompt", "x");
        missing.AssertBadInput(dir.File("nope"));

        string badConfig = dir.Write("bad.json", """{"vocab_size": 512, "hidden_size": 30, "num_attention_heads": 4}""");
        var bad = ApoProcess.Run("init-model", "--config", badConfig, "--out", dir.File("m"));
        bad.AssertBadInput("bad.json");
        Assert.False(Directory.Exists(dir.File("m")));

        var sampling = ApoProcess.Run("generate", "--model", fixture.ModelPath, "--prompt", "x", "--top-p", "0");
        sampling.AssertBadInput("--top-p");
    }

    static int[] Tokenize(string modelPath, string text)
    {
        var tokenizer = Apo.Model.Text.TextTokenizer.Load(modelPath);
        return tokenizer.Encode(text).ToArray();
    }

    static JsonArray ToArray(int[] ids) => new(ids.Select(i => (JsonNode)i).ToArray());
}

using Apo.Model.Qwen2;
using TorchSharp;

namespace Apo.Model.Tests;

public class Qwen2ConfigTests
{
    // The config.json of Qwen/Qwen2.5-0.5B as published on the Hugging Face hub (shapes that matter here).
    const string Qwen25HalfB = """
    {
      "architectures": ["Qwen2ForCausalLM"],
      "attention_dropout": 0.0,
      "bos_token_id": 151643,
      "eos_token_id": 151643,
      "hidden_act": "silu",
      "hidden_size": 896,
      "initializer_range": 0.02,
      "intermediate_size": 4864,
      "max_position_embeddings": 32768,
      "max_window_layers": 24,
      "model_type": "qwen2",
      "num_attention_heads": 14,
      "num_hidden_layers": 24,
      "num_key_value_heads": 2,
      "rms_norm_eps": 1e-06,
      "rope_theta": 1000000.0,
      "sliding_window": 32768,
      "tie_word_embeddings": true,
      "torch_dtype": "bfloat16",
      "transformers_version": "4.40.1",
      "use_cache": true,
      "use_sliding_window": false,
      "vocab_size": 151936
    }
    """;

    static string Write(TempDirectory dir, string json)
    {
        var path = dir.File("config.json");
        File.WriteAllText(path, json);
        return path;
    }

    // The generation_config.json of Qwen/Qwen2.5-0.5B-Instruct as published (its config.json says eos_token_id 151645).
    const string Qwen25InstructGeneration = """
    {
      "bos_token_id": 151643,
      "pad_token_id": 151643,
      "do_sample": true,
      "eos_token_id": [151645, 151643],
      "repetition_penalty": 1.1,
      "temperature": 0.7,
      "top_p": 0.8,
      "top_k": 20,
      "transformers_version": "4.37.0"
    }
    """;

    [Fact]
    public void StopIdsOfGenerationConfigJoinThoseOfConfig()
    {
        using var dir = new TempDirectory();
        Write(dir, Qwen25HalfB.Replace("\"eos_token_id\": 151643", "\"eos_token_id\": 151645"));
        File.WriteAllText(dir.File(Qwen2Config.GenerationConfigFileName), Qwen25InstructGeneration);
        Assert.Equal([151645, 151643], Qwen2Config.Load(dir.Path).EosTokenIds); // <|im_end|>, <|endoftext|>
    }

    [Theory]
    [InlineData("{ \"eos_token_id\": [151645, 200000] }", "field \"eos_token_id\" value 200000 is outside the vocabulary")]
    [InlineData("{ \"eos_token_id\": [151645, \"x\"] }", "field \"eos_token_id\" item 1 must be an integer")]
    [InlineData("{ \"eos_token_id\": ", "line 1: malformed JSON")]
    public void ABadGenerationConfigIsNamedWithItsField(string json, string why)
    {
        using var dir = new TempDirectory();
        Write(dir, Qwen25HalfB);
        string path = dir.File(Qwen2Config.GenerationConfigFileName);
        File.WriteAllText(path, json);
        var error = Assert.Throws<InvalidDataException>(() => Qwen2Config.Load(dir.Path));
        Assert.StartsWith(path, error.Message);
        Assert.Contains(why, error.Message);
    }

    [Fact]
    public void Qwen25HalfBillionHasItsPublishedParameterCount()
    {
        using var dir = new TempDirectory();
        var config = Qwen2Config.Load(Write(dir, Qwen25HalfB));
        Assert.Equal(64, config.HeadDim);
        Assert.Equal(torch.ScalarType.BFloat16, config.ScalarType);
        Assert.Equal([151643], config.EosTokenIds);
        Assert.Equal(1e6, config.RopeTheta);
        // By hand (H = 896, kv width = 2 heads × 64 = 128, I = 4864, V = 151936):
        //   embedding            151936 × 896                      = 136,134,656
        //   per layer: q  896×896 + 896                            =     803,712
        //              k  896×128 + 128, v the same (2 × 114,816)  =     229,632
        //              o  896×896                                  =     802,816
        //              mlp 3 × 896 × 4864                          =  13,074,432
        //              2 RMSNorms 2 × 896                          =       1,792
        //              layer total                                 =  14,912,384
        //   24 layers                                              = 357,897,216
        //   final norm                                             =         896
        //   tied head                                              =           0
        //   total = 136,134,656 + 357,897,216 + 896                = 494,032,768  (the "0.49B, 0.36B non-embedding" of the model card)
        Assert.Equal(494_032_768L, config.ParameterCount);
        Assert.Equal(494_032_768L + 151936L * 896, (config with { TieWordEmbeddings = false }).ParameterCount);
    }

    [Fact]
    public void AnalyticCountEqualsAllocatedModel()
    {
        foreach (var tied in new[] { true, false })
        {
            var config = TinyModels.Config(tied);
            using var model = new Qwen2ForCausalLM(config);
            Assert.Equal(config.ParameterCount, model.parameters().Sum(p => p.numel()));
        }
    }

    [Fact]
    public void SaveThenLoadRoundTripsAndIsHuggingFaceShaped()
    {
        using var dir = new TempDirectory();
        var config = TinyModels.Config() with { EosTokenIdList = [2, 7], BosTokenId = 1, TorchDtype = "bfloat16", RopeTheta = 1e6 };
        var path = dir.File("config.json");
        config.Save(path);
        var loaded = Qwen2Config.Load(dir.Path);
        Assert.Equal(config.ToJson().ToJsonString(), loaded.ToJson().ToJsonString());
        Assert.Equal([2, 7], loaded.EosTokenIds);
        var text = File.ReadAllText(path);
        Assert.Contains("\"model_type\": \"qwen2\"", text);
        Assert.Contains("\"Qwen2ForCausalLM\"", text);
        Assert.Contains("\"hidden_act\": \"silu\"", text);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void EosMayBeAListAndKeyValueHeadsDefaultToHeads()
    {
        using var dir = new TempDirectory();
        var config = Qwen2Config.Load(Write(dir, """{"vocab_size": 10, "hidden_size": 8, "intermediate_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2, "eos_token_id": [3, 4]}"""));
        Assert.Equal([3, 4], config.EosTokenIds);
        Assert.Equal(2, config.NumKeyValueHeads);
        Assert.Equal("float32", config.TorchDtype);
    }

    [Theory]
    [InlineData("""{"vocab_size": 10, "hidden_size": 8, """, "malformed JSON")]
    [InlineData("""{"hidden_size": 8, "intermediate_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2}""", "\"vocab_size\" is missing")]
    [InlineData("""{"vocab_size": 10, "hidden_size": 8, "intermediate_size": 16, "num_hidden_layers": 1, "num_attention_heads": 3}""", "does not divide \"hidden_size\"")]
    [InlineData("""{"vocab_size": 10, "hidden_size": 8, "intermediate_size": 16, "num_hidden_layers": 1, "num_attention_heads": 4, "num_key_value_heads": 3}""", "\"num_key_value_heads\" (3) does not divide")]
    [InlineData("""{"vocab_size": "ten", "hidden_size": 8, "intermediate_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2}""", "\"vocab_size\" must be an integer")]
    [InlineData("""{"vocab_size": 10, "hidden_size": 8, "intermediate_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2, "torch_dtype": "int8"}""", "\"torch_dtype\"")]
    [InlineData("""{"vocab_size": 10, "hidden_size": 8, "intermediate_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2, "eos_token_id": [3, "x"]}""", "\"eos_token_id\" item 1")]
    [InlineData("""{"vocab_size": 10, "hidden_size": 8, "intermediate_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2, "model_type": "llama"}""", "\"model_type\"")]
    [InlineData("""{"vocab_size": 10, "hidden_size": 8, "intermediate_size": 16, "num_hidden_layers": 0, "num_attention_heads": 2}""", "\"num_hidden_layers\" must be positive")]
    public void BadConfigsNameTheFileAndTheField(string json, string expected)
    {
        using var dir = new TempDirectory();
        var path = Write(dir, json);
        var error = Assert.Throws<InvalidDataException>(() => Qwen2Config.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void MissingFileIsFileNotFound()
    {
        using var dir = new TempDirectory();
        Assert.Throws<FileNotFoundException>(() => Qwen2Config.Load(dir.File("nope.json")));
    }
}

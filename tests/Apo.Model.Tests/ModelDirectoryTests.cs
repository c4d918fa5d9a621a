using System.Text.Json.Nodes;
using Apo.Model.Checkpoints;
using Apo.Model.Text;
using static TorchSharp.torch;

namespace Apo.Model.Tests;

public class ModelDirectoryTests
{
    static TextTokenizer Tokenizer() => BpeTrainer.Train(["one two three four five six", "two three four"], 270);

    /// <summary>The byte-level tokenizer alone has 259 ids, so these models get a vocabulary of 300.</summary>
    static Qwen2.Qwen2ForCausalLM Model(bool tied = true, long seed = 42)
    {
        TorchSharp.torch.manual_seed(seed);
        return new Qwen2.Qwen2ForCausalLM(TinyModels.Config(tied, vocab: 300));
    }

    static float[] Logits(Qwen2.Qwen2ForCausalLM model)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = tensor(new long[] { 3, 7, 11, 5 }).reshape(1, 4);
        var positions = arange(4, dtype: ScalarType.Int64).reshape(1, 4);
        return model.forward(ids, positions, ones_like(ids)).to_type(ScalarType.Float32).data<float>().ToArray();
    }

    [Theory]
    [InlineData(true, 0L)]
    [InlineData(false, 0L)]
    [InlineData(true, 20_000L)]
    public void SaveThenLoadGivesTheSameModelAndTokenizer(bool tied, long maxShardBytes)
    {
        using var dir = new TempDirectory();
        using var model = Model(tied);
        var tokenizer = Tokenizer();
        ModelDirectory.Save(dir.Path, model, tokenizer, maxShardBytes: maxShardBytes);

        using var loaded = ModelDirectory.Load(dir.Path);
        Assert.Equal(Logits(model), Logits(loaded.Model));
        Assert.Equal(tokenizer.Encode("three four five"), loaded.Tokenizer.Encode("three four five"));
        // The inference layout holds the same values (its products may round differently) and saves the same file.
        using var inference = ModelDirectory.Load(dir.Path, forInference: true);
        Assert.True(inference.Model.ForInference);
        Assert.All(Logits(model).Zip(Logits(inference.Model)), pair => Assert.True(Math.Abs(pair.First - pair.Second) < 1e-4));
        using var again = new TempDirectory();
        ModelDirectory.Save(again.Path, inference.Model, tokenizer, maxShardBytes: maxShardBytes);
        foreach (var file in Directory.GetFiles(dir.Path, "*.safetensors"))
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(again.Path, Path.GetFileName(file))));
        Assert.Equal(model.Config.ToJson().ToJsonString(), loaded.Config.ToJson().ToJsonString());
        Assert.Equal(maxShardBytes > 0, File.Exists(Path.Combine(dir.Path, CheckpointReader.IndexFileName)));
        // Hugging Face layout: a tied checkpoint has no lm_head.weight, an untied one does.
        using var reader = CheckpointReader.Open(dir.Path);
        Assert.Equal(!tied, reader.Contains("lm_head.weight"));
        Assert.Contains("model.layers.1.self_attn.q_proj.bias", reader.Names);
        Assert.DoesNotContain("model.layers.1.self_attn.o_proj.bias", reader.Names);
    }

    [Fact]
    public void SavingAsBFloat16RecordsTheDtypeAndLoadsBackWithinBFloat16Precision()
    {
        using var dir = new TempDirectory();
        using var model = Model();
        ModelDirectory.Save(dir.Path, model, Tokenizer(), storeAs: ScalarType.BFloat16);
        Assert.Equal("bfloat16", (string?)JsonNode.Parse(File.ReadAllText(Path.Combine(dir.Path, "config.json")))!["torch_dtype"]);
        using var loaded = ModelDirectory.Load(dir.Path);
        Assert.Equal(ScalarType.BFloat16, loaded.Model.DType);
        using var reader = CheckpointReader.Open(dir.Path);
        Assert.Equal(ScalarType.BFloat16, reader.Entry("model.norm.weight").DType);
    }

    [Fact]
    public void ReplacingAnExistingDirectoryLeavesOnlyTheNewModel()
    {
        using var dir = new TempDirectory();
        using var first = Model(seed: 1);
        using var second = Model(seed: 2);
        ModelDirectory.Save(dir.Path, first, Tokenizer(), maxShardBytes: 20_000);
        ModelDirectory.Save(dir.Path, second, Tokenizer());
        Assert.Empty(Directory.GetFiles(dir.Path, "model-*-of-*.safetensors"));
        using var loaded = ModelDirectory.Load(dir.Path);
        Assert.Equal(Logits(second), Logits(loaded.Model));
        Assert.Empty(Directory.GetDirectories(Path.GetDirectoryName(dir.Path)!, $".{Path.GetFileName(dir.Path)}*"));
    }

    [Fact]
    public void BadDirectoriesFailWithTheFileAndTensorNamed()
    {
        using var dir = new TempDirectory();
        using var model = Model(tied: false);
        var tokenizer = Tokenizer();
        Assert.Throws<DirectoryNotFoundException>(() => ModelDirectory.Load(dir.File("nowhere")));

        string good = dir.File("good");
        ModelDirectory.Save(good, model, tokenizer);

        using var scope = NewDisposeScope();
        // A checkpoint missing a tensor.
        string missing = dir.File("missing");
        CopyDirectory(good, missing);
        using (var reader = CheckpointReader.Open(good))
        {
            var tensors = reader.Names.Where(n => n != "model.norm.weight").Select(n => KeyValuePair.Create(n, reader.Read(n))).ToList();
            CheckpointWriter.Write(missing, tensors);
        }
        Assert.Contains("\"model.norm.weight\" is missing", Assert.Throws<InvalidDataException>(() => ModelDirectory.Load(missing)).Message);

        // A checkpoint with a tensor the architecture does not have.
        string extra = dir.File("extra");
        CopyDirectory(good, extra);
        using (var reader = CheckpointReader.Open(good))
        {
            var tensors = reader.Names.Select(n => KeyValuePair.Create(n, reader.Read(n))).ToList();
            tensors.Add(KeyValuePair.Create("model.layers.0.mlp.fc9.weight", zeros(2, 2)));
            CheckpointWriter.Write(extra, tensors);
        }
        Assert.Contains("model.layers.0.mlp.fc9.weight", Assert.Throws<InvalidDataException>(() => ModelDirectory.Load(extra)).Message);

        // A config whose shapes disagree with the weights.
        string shapes = dir.File("shapes");
        CopyDirectory(good, shapes);
        string configPath = Path.Combine(shapes, "config.json");
        File.WriteAllText(configPath, File.ReadAllText(configPath).Replace("\"intermediate_size\": 64", "\"intermediate_size\": 96"));
        var shapeError = Assert.Throws<InvalidDataException>(() => ModelDirectory.Load(shapes)).Message;
        Assert.Contains("mlp", shapeError);
        Assert.Contains("model.safetensors", shapeError);

        // A malformed config.
        string broken = dir.File("broken");
        CopyDirectory(good, broken);
        File.WriteAllText(Path.Combine(broken, "config.json"), "{\"hidden_size\": ");
        Assert.Contains("config.json", Assert.Throws<InvalidDataException>(() => ModelDirectory.Load(broken)).Message);

        // A tokenizer larger than the model's vocabulary.
        string big = dir.File("big");
        var random = new Random(5);
        var words = Enumerable.Range(0, 3000).Select(_ => new string(Enumerable.Range(0, random.Next(3, 7)).Select(_ => (char)('a' + random.Next(26))).ToArray()));
        var bigTokenizer = BpeTrainer.Train(words.Concat(words), 400);
        Assert.True(bigTokenizer.VocabSize > model.Config.VocabSize);
        Assert.Contains("vocab_size", Assert.Throws<InvalidDataException>(() => ModelDirectory.Save(big, model, bigTokenizer)).Message);
        Assert.False(Directory.Exists(big));
    }

    static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }
}

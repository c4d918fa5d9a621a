using Apo.Model.Qwen2;
using TorchSharp;
using static TorchSharp.torch;

namespace Apo.Engine.Tests;

/// <summary>Small Qwen2 models for fast tests.</summary>
static class TinyModels
{
    public const int Eos = 2;
    public const int Vocab = 40;

    public static Qwen2Config Config() => new()
    {
        VocabSize = Vocab,
        HiddenSize = 32,
        IntermediateSize = 64,
        NumHiddenLayers = 2,
        NumAttentionHeads = 4,
        NumKeyValueHeads = 2,
        MaxPositionEmbeddings = 128,
        TieWordEmbeddings = true,
        EosTokenIdList = [Eos],
    };

    /// <summary>A model whose weights come from a fixed seed (same seed, same weights).</summary>
    public static Qwen2ForCausalLM Create(long seed = 42, ScalarType dtype = ScalarType.Float32)
    {
        var model = Qwen2ForCausalLM.Uninitialised(Config(), CPU, dtype);
        var generator = new Generator((ulong)seed);
        using var noGrad = no_grad();
        foreach (var (name, parameter) in model.named_parameters())
        {
            using var noise = randn(parameter.shape, generator: generator);
            using var scaled = name.Contains("norm") ? noise * 0.1 + 1.0 : noise * 0.3;
            parameter.copy_(scaled);
        }
        return model;
    }

    /// <summary>A second model with exactly the weights of <paramref name="source"/> (in <paramref name="dtype"/>, default the source's).</summary>
    public static Qwen2ForCausalLM Copy(Qwen2ForCausalLM source, ScalarType? dtype = null)
    {
        var model = Qwen2ForCausalLM.Uninitialised(source.Config, CPU, dtype ?? source.DType);
        model.LoadWeights(source.ParametersByName().ToDictionary(p => p.Key, p => (Tensor)p.Value), "copy");
        return model;
    }

    /// <summary>Every parameter's values, by name, copied out of the model.</summary>
    public static Dictionary<string, float[]> Snapshot(Qwen2ForCausalLM model)
    {
        using var scope = NewDisposeScope();
        return model.ParametersByName().ToDictionary(p => p.Key, p => p.Value.detach().to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray());
    }

    /// <summary>Deterministic prompts over tokens 3..Vocab-1 (never EOS).</summary>
    public static int[][] Prompts(int count, int seed = 1, int minLength = 2, int maxLength = 6)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count)
            .Select(_ => Enumerable.Range(0, random.Next(minLength, maxLength + 1)).Select(_ => random.Next(3, Vocab)).ToArray())
            .ToArray();
    }

    /// <summary>
    /// Native tensors alive now. No garbage collection first: a collection would finalise exactly the tensors a
    /// leak test exists to find (anything left to the GC instead of disposed).
    /// </summary>
    public static long LiveTensors() => Tensor.TotalCount;

    /// <summary>
    /// The live count has not grown since <paramref name="before"/>. It may have shrunk: the finaliser thread can
    /// release tensors an earlier test left to the GC at any moment, never create any.
    /// </summary>
    public static void AssertNoGrowth(long before, string what)
    {
        long after = LiveTensors();
        Assert.True(after <= before, $"{after - before} more live tensors after {what} ({before} → {after})");
    }
}

using Apo.Model.Qwen2;
using TorchSharp;
using static TorchSharp.torch;

namespace Apo.Model.Tests;

/// <summary>Small Qwen2 models for fast tests, with weights large enough to give peaked, position-sensitive outputs.</summary>
static class TinyModels
{
    public const int Eos = 2;

    public static Qwen2Config Config(bool tied = true, int vocab = 50) => new()
    {
        VocabSize = vocab,
        HiddenSize = 32,
        IntermediateSize = 64,
        NumHiddenLayers = 2,
        NumAttentionHeads = 4,
        NumKeyValueHeads = 2,
        RopeTheta = 10000,
        MaxPositionEmbeddings = 256,
        TieWordEmbeddings = tied,
        EosTokenIdList = [Eos],
    };

    /// <summary>A model whose weights are drawn from a fixed seed at a scale where attention and positions matter.</summary>
    public static Qwen2ForCausalLM Create(bool tied = true, long seed = 42, ScalarType dtype = ScalarType.Float32)
    {
        var model = new Qwen2ForCausalLM(Config(tied), CPU, dtype);
        var generator = new Generator((ulong)seed);
        using var noGrad = no_grad();
        foreach (var (name, parameter) in model.named_parameters())
        {
            using var noise = randn(parameter.shape, generator: generator);
            using var scaled = name.Contains("norm") ? noise * 0.1 + 1.0 : noise * (name.Contains("embed") || name.Contains("lm_head") ? 0.6 : 0.25);
            parameter.copy_(scaled);
        }
        return model;
    }

    /// <summary>Deterministic prompts of varied lengths over tokens 3..vocab-1 (avoiding EOS).</summary>
    public static int[][] Prompts(int count, int seed = 1, int minLength = 2, int maxLength = 9)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count)
            .Select(_ => Enumerable.Range(0, random.Next(minLength, maxLength + 1)).Select(_ => random.Next(3, 50)).ToArray())
            .ToArray();
    }
}

using Apo.Model.Qwen2;
using Apo.Model.Text;
using static TorchSharp.torch;

namespace Apo.Hosting.Tests.Weights;

/// <summary>Tiny Qwen2 models (2 layers of width 32) with random weights, for weight-store round trips.</summary>
public static class TinyModels
{
    static readonly Lazy<TextTokenizer> tokenizer = new(() => BpeTrainer.Train(
        Enumerable.Range(0, 30).Select(i => $"Tom has {i} apples and buys {i % 7} more. #### {i + i % 7}"), 300));

    /// <summary>A tokenizer for the models (the blob store ignores it; the interface asks for one).</summary>
    public static TextTokenizer Tokenizer => tokenizer.Value;

    /// <summary>A model whose weights are drawn from <paramref name="seed"/>: equal seeds give equal weights.</summary>
    public static Qwen2ForCausalLM Create(long seed)
    {
        manual_seed(seed);
        return new Qwen2ForCausalLM(new Qwen2Config
        {
            VocabSize = 320,
            HiddenSize = 32,
            IntermediateSize = 64,
            NumHiddenLayers = 2,
            NumAttentionHeads = 4,
            NumKeyValueHeads = 2,
            MaxPositionEmbeddings = 128,
            TieWordEmbeddings = true,
            EosTokenIdList = [0],
        });
    }

    /// <summary>Fails naming the first parameter whose bits differ.</summary>
    public static void AssertBitIdentical(Qwen2ForCausalLM expected, Qwen2ForCausalLM actual)
    {
        var a = expected.ParametersByName();
        var b = actual.ParametersByName();
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (name, parameter) in a)
            Assert.True(Bits(parameter).SequenceEqual(Bits(b[name])), $"parameter {name} differs");
    }

    /// <summary>True when the first parameter of the two models has the same bits.</summary>
    public static bool SameFirstParameter(Qwen2ForCausalLM a, Qwen2ForCausalLM b) =>
        Bits(a.ParametersByName().Values.First()).SequenceEqual(Bits(b.ParametersByName().Values.First()));

    static int[] Bits(Tensor t) => t.data<float>().Select(BitConverter.SingleToInt32Bits).ToArray();
}

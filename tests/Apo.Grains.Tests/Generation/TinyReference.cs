using System.Collections.Immutable;
using Apo.Abstractions.Prompts;
using Apo.Abstractions.StageOne;
using Apo.Abstractions.Weights;
using Apo.Model;
using Apo.Model.Qwen2;
using Apo.Model.Text;

namespace Apo.Grains.Tests.Generation;

/// <summary>
/// A tiny Qwen2 reference model directory (random weights, 2 layers of width 32) with a BPE tokenizer
/// trained on GSM8K-style questions, plus prompt specs for it. Small enough that a stage-1 unit of a
/// few prompts samples in well under a second.
/// </summary>
public sealed class TinyReference : IDisposable
{
    static readonly string[] Corpus = Enumerable.Range(0, 40)
        .Select(i => $"Tom has {i % 9 + 1} apples and buys {i % 7 + 2} more. How many apples does he have? " +
                     $"He has {i % 9 + 1} + {i % 7 + 2} = {i % 9 + i % 7 + 3}. #### {i % 9 + i % 7 + 3}")
        .ToArray();

    public string Root { get; }
    public string Directory { get; }
    public TextTokenizer Tokenizer { get; }
    public Qwen2Config Config { get; }
    public ReferenceModel Reference { get; }

    public TinyReference()
    {
        Root = Path.Combine(Path.GetTempPath(), "apo-generator-tests-" + Guid.NewGuid().ToString("N"));
        Directory = Path.Combine(Root, "reference");
        Tokenizer = BpeTrainer.Train(Corpus, 300);
        Config = ConfigFor(Tokenizer);
        using var model = Create(seed: 1);
        ModelDirectory.Save(Directory, model, Tokenizer);
        Reference = new ReferenceModel(Directory, ModelDirectory.ContentHash(Directory));
    }

    public static Qwen2Config ConfigFor(TextTokenizer tokenizer) => new()
    {
        VocabSize = 320,
        HiddenSize = 32,
        IntermediateSize = 64,
        NumHiddenLayers = 2,
        NumAttentionHeads = 4,
        NumKeyValueHeads = 2,
        MaxPositionEmbeddings = 256,
        TieWordEmbeddings = true,
        EosTokenIdList = [tokenizer.EndOfTextId],
    };

    /// <summary>A model of the reference's shape with weights drawn from <paramref name="seed"/> (seed 1 is the reference).</summary>
    public Qwen2ForCausalLM Create(long seed)
    {
        TorchSharp.torch.manual_seed(seed);
        return new Qwen2ForCausalLM(Config);
    }

    /// <summary>Stage-1 provenance for this reference: N samples of at most 6 tokens at temperature 1.</summary>
    public StageOneProvenance Provenance(int n = 4, long seed = 11, double beta1 = 0.5) =>
        new(Reference.Hash, beta1, n, new SamplingSettings(1.0, 1.0, 0, 6), seed);

    /// <summary>GSM8K-style prompts with fresh ids; the flexible verifier (last number) lets a random model score now and then.</summary>
    public ImmutableArray<PromptSpec> Prompts(int count, string task = "gsm8k-flexible")
    {
        string prefix = "g-" + Guid.NewGuid().ToString("N")[..8];
        return Enumerable.Range(0, count).Select(i =>
        {
            string text = $"Tom has {i + 1} apples and buys 2 more. How many apples does he have? " +
                          "Let's think step by step and output the final answer after \"####\".";
            return new PromptSpec($"{prefix}-{i}", text, Tokenizer.Encode(text).ToImmutableArray(), $"{i + 3}", task, $"tests line {i + 1}");
        }).ToImmutableArray();
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}

using Apo.Engine.Sft;
using Apo.Model.Inference;
using Apo.Model.Qwen2;
using TorchSharp;
using static TorchSharp.torch;

namespace Apo.Engine.Tests.Sft;

public class SupervisedTrainerTests
{
    // Four prompts, each with its own short target ending in EOS.
    static readonly SupervisedExample[] Examples =
    [
        new([3, 4], [11, 12, TinyModels.Eos]),
        new([5, 6, 7], [13, TinyModels.Eos]),
        new([8], [14, 15, 16, TinyModels.Eos]),
        new([9, 10], [17, 11, 12, 20, TinyModels.Eos]),
    ];

    static Qwen2ForCausalLM FreshModel()
    {
        manual_seed(7);
        return new Qwen2ForCausalLM(TinyModels.Config());
    }

    static SupervisedSettings Settings(long seed = 1) => new() { Steps = 120, BatchSize = 2, LearningRate = 1e-2, Seed = seed };

    [Fact]
    public void TokenBudgetMicroBatchesGiveTheStepsOfOnePass()
    {
        // Budget 6: the 4-example batches split into micro-batches of one or two examples, each weighted by its
        // share of the batch's target tokens, so the token-mean gradient is the same as in one pass.
        using var whole = FreshModel();
        using var split = FreshModel();
        var settings = Settings() with { Steps = 5, BatchSize = 4 };
        var a = SupervisedTrainer.Train(whole, Examples, settings with { MaxTokensPerMicroBatch = 0 });
        var b = SupervisedTrainer.Train(split, Examples, settings with { MaxTokensPerMicroBatch = 6 });
        for (int i = 0; i < a.Count; i++) Assert.Equal(a[i], b[i], 5);
        var wa = whole.ParametersByName();
        var wb = split.ParametersByName();
        foreach (var (name, p) in wa)
        {
            using var diff = (p - wb[name]).abs().max();
            Assert.True(diff.item<float>() < 1e-4, $"{name} differs by {diff.item<float>()}");
        }
    }

    [Fact]
    public void LearnsToReproduceShortTargetsGreedily()
    {
        using var model = FreshModel();
        var reported = new List<(int Step, double Loss)>();
        var losses = SupervisedTrainer.Train(model, Examples, Settings(), (step, loss) => reported.Add((step, loss)));

        Assert.Equal(120, losses.Count);
        Assert.Equal(Enumerable.Range(1, 120), reported.Select(r => r.Step));
        Assert.Equal(losses, reported.Select(r => r.Loss));
        // Untrained, the loss is about ln(vocab) = ln 40 ≈ 3.7 nats per token; memorised, it is near 0.
        Assert.InRange(losses[0], 3.0, 4.5);
        Assert.True(losses.TakeLast(10).Average() < 0.1, $"final losses {string.Join(", ", losses.TakeLast(10))}");

        var generated = Sampler.Generate(model, Examples.Select(e => e.PromptIds).ToList(),
            new SamplingOptions { Greedy = true, MaxNewTokens = 8 }, Examples.Select(_ => 0L).ToList());
        for (int i = 0; i < Examples.Length; i++) Assert.Equal(Examples[i].TargetIds, generated.Sequences[i].TokenIds);
    }

    [Fact]
    public void LossCountsTargetTokensOnly()
    {
        using var model = FreshModel();
        var batch = Examples.Take(2).ToList();
        using var loss = SupervisedTrainer.TargetCrossEntropy(model, batch);
        // Independent reference: the mean over target tokens of −log p from Scorer's per-token log-probs.
        var scores = Scorer.Score(model, batch.Select(e => e.PromptIds).ToList(), batch.Select(e => e.TargetIds).ToList(), 2);
        double expected = -scores.Sum(s => s.Sum) / scores.Sum(s => s.TokenLogProbs.Length);
        Assert.Equal(expected, loss.ToDouble(), 5);
    }

    [Fact]
    public void SameSeedSameRunOtherSeedOtherOrder()
    {
        var settings = Settings() with { Steps = 6 };
        IReadOnlyList<double> Run(long seed)
        {
            using var model = FreshModel();
            return SupervisedTrainer.Train(model, Examples, settings with { Seed = seed });
        }
        var first = Run(1);
        Assert.Equal(first, Run(1));
        Assert.NotEqual(first, Run(2));
    }

    [Fact]
    public void RejectsBadInput()
    {
        using var model = FreshModel();
        Assert.Throws<ArgumentException>(() => SupervisedTrainer.Train(model, [], Settings()));
        Assert.Throws<ArgumentException>(() => SupervisedTrainer.Train(model, [new([3], [])], Settings()));
        Assert.Throws<ArgumentOutOfRangeException>(() => SupervisedTrainer.Train(model, Examples, Settings() with { BatchSize = 0 }));
    }
}

using Apo.Model.Inference;

namespace Apo.Model.Tests;

public class BatchingTests
{
    [Fact]
    public void LeftPaddedScoringEqualsScoringAlone()
    {
        using var model = TinyModels.Create(tied: false);
        var prompts = TinyModels.Prompts(5, seed: 3, minLength: 1, maxLength: 10);
        var responses = TinyModels.Prompts(5, seed: 4, minLength: 1, maxLength: 8);
        var batched = Scorer.Score(model, prompts, responses, maxTokens: 0);
        for (int i = 0; i < prompts.Length; i++)
        {
            var alone = Scorer.Score(model, [prompts[i]], [responses[i]], maxTokens: 0)[0];
            Assert.Equal(responses[i].Length, batched[i].TokenLogProbs.Length);
            for (int t = 0; t < alone.TokenLogProbs.Length; t++)
                Assert.True(Math.Abs(alone.TokenLogProbs[t] - batched[i].TokenLogProbs[t]) < 1e-4, $"sequence {i} token {t}");
            Assert.Equal(alone.TokenLogProbs.Sum(x => (double)x), alone.Sum, 6);
        }
    }

    [Fact]
    public void LeftPaddedGenerationEqualsGeneratingAlone()
    {
        using var model = TinyModels.Create();
        var prompts = TinyModels.Prompts(4, seed: 11, minLength: 1, maxLength: 9);
        var options = new SamplingOptions { MaxNewTokens = 10 };
        long[] seeds = [10, 20, 30, 40];
        var batched = Sampler.Generate(model, prompts, options, seeds);
        for (int i = 0; i < prompts.Length; i++)
        {
            var alone = Sampler.Generate(model, [prompts[i]], options, [seeds[i]]).Sequences[0];
            Assert.Equal(alone.TokenIds, batched.Sequences[i].TokenIds);
            for (int t = 0; t < alone.LogProbs.Length; t++)
                Assert.True(Math.Abs(alone.LogProbs[t] - batched.Sequences[i].LogProbs[t]) < 1e-4);
        }
    }

    [Fact]
    public void SampledTokensDoNotDependOnBatchCompanionsOrOrder()
    {
        using var model = TinyModels.Create();
        var target = new[] { 7, 19, 33 };
        var others = TinyModels.Prompts(3, seed: 12, minLength: 1, maxLength: 12);
        var options = new SamplingOptions { MaxNewTokens = 16, Temperature = 1.2 };
        var first = Sampler.Generate(model, [target, others[0]], options, [99, 1]).Sequences[0];
        var second = Sampler.Generate(model, [others[1], others[2], target], options, [5, 6, 99]).Sequences[2];
        Assert.Equal(first.TokenIds, second.TokenIds);
        Assert.True(first.TokenIds.Length > 3);
    }

    [Fact]
    public void TeacherForcingColumnsAreResponsePositions()
    {
        using var model = TinyModels.Create();
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var output = TeacherForcing.Forward(model, [[5, 6], [7, 8, 9, 10]], [[11, 12, 13], [14]], withEntropy: true);
        Assert.Equal(new long[] { 2, 3 }, output.Mask.shape);
        Assert.Equal(new float[] { 1, 1, 1, 1, 0, 0 }, output.Mask.data<float>().ToArray());
        Assert.Equal(0f, output.TokenLogProbs[1, 1].item<float>());
        Assert.Equal(0f, output.TokenEntropy[1, 2].item<float>());
        // Entropy of a distribution over V tokens lies in [0, log V].
        var entropy = output.TokenEntropy[0];
        Assert.True(entropy.min().item<float>() > 0 && entropy.max().item<float>() <= Math.Log(50) + 1e-5);
    }

    [Fact]
    public void EmptyResponsesScoreZeroAlongsideOthers()
    {
        using var model = TinyModels.Create();
        var scores = Scorer.Score(model, [[4, 5], [6]], [[], [7, 8]], maxTokens: 4);
        Assert.Empty(scores[0].TokenLogProbs);
        Assert.Equal(0.0, scores[0].Sum);
        Assert.Equal(2, scores[1].TokenLogProbs.Length);
        Assert.All(scores[1].TokenLogProbs, lp => Assert.True(lp < 0));
        var none = Scorer.Score(model, [[4, 5]], [[]], maxTokens: 0);
        Assert.Empty(none[0].TokenLogProbs);
    }
}

using Apo.Model.Inference;
using static TorchSharp.torch;

namespace Apo.Model.Tests;

public class KvCacheTests
{
    [Fact]
    public void CachedStepLogitsEqualFullRecomputation()
    {
        using var model = TinyModels.Create();
        var prompts = TinyModels.Prompts(3, seed: 5, minLength: 2, maxLength: 7); // different lengths: left padding in play
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var batch = PaddedBatch.Create(prompts, model.Config.VocabSize, CPU);
        int steps = 8, width = batch.PromptWidth;
        using var cache = model.CreateKvCache(3, width + steps);
        var mask = cat([batch.AttentionMask, ones(3, steps, dtype: ScalarType.Int64)], 1);
        var ids = batch.InputIds;
        var positions = batch.PositionIds;
        var cached = model.forward(ids, positions, mask.narrow(1, 0, width), cache, 0).select(1, width - 1);
        for (int step = 0; step < steps; step++)
        {
            var full = model.forward(ids, positions, mask.narrow(1, 0, width + step)).select(1, width + step - 1);
            float difference = (cached - full).abs().max().item<float>();
            Assert.True(difference < 1e-4f, $"step {step}: cached and recomputed logits differ by {difference}");
            var next = full.argmax(-1, keepdim: true);
            var nextPositions = positions.select(1, positions.shape[1] - 1).unsqueeze(1) + 1;
            ids = cat([ids, next], 1);
            positions = cat([positions, nextPositions], 1);
            cached = model.forward(next, nextPositions, mask.narrow(1, 0, width + step + 1), cache, width + step).select(1, 0);
        }
    }

    [Fact]
    public void SamplingWithAndWithoutCacheAgrees()
    {
        using var model = TinyModels.Create();
        var prompts = TinyModels.Prompts(4, seed: 9);
        var options = new SamplingOptions { MaxNewTokens = 12, Temperature = 1.0, TopP = 0.9 };
        long[] seeds = [1, 2, 3, 4];
        var withCache = StaticSampler.Generate(model, prompts, options, seeds, useKvCache: true);
        var without = StaticSampler.Generate(model, prompts, options, seeds, useKvCache: false);
        for (int i = 0; i < prompts.Length; i++)
        {
            Assert.Equal(without.Sequences[i].TokenIds, withCache.Sequences[i].TokenIds);
            Assert.Equal(without.Sequences[i].Finished, withCache.Sequences[i].Finished);
            for (int t = 0; t < without.Sequences[i].LogProbs.Length; t++)
                Assert.True(Math.Abs(without.Sequences[i].LogProbs[t] - withCache.Sequences[i].LogProbs[t]) < 1e-4);
        }
    }
}

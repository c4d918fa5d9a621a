using Apo.Model.Inference;
using static TorchSharp.torch;

namespace Apo.Model.Tests;

public class SamplingTests
{
    static readonly int[][] Prompts = TinyModels.Prompts(3, seed: 21);

    [Fact]
    public void SameSeedsGiveSameTokensAndOtherSeedsDiffer()
    {
        using var model = TinyModels.Create();
        var options = new SamplingOptions { MaxNewTokens = 20, StopTokenIds = [] };
        var a = Sampler.Generate(model, Prompts, options, [1, 2, 3]);
        var b = Sampler.Generate(model, Prompts, options, [1, 2, 3]);
        var c = Sampler.Generate(model, Prompts, options, [4, 5, 6]);
        for (int i = 0; i < Prompts.Length; i++) Assert.Equal(a.Sequences[i].TokenIds, b.Sequences[i].TokenIds);
        Assert.Contains(Enumerable.Range(0, 3), i => !a.Sequences[i].TokenIds.SequenceEqual(c.Sequences[i].TokenIds));
    }

    [Fact]
    public void GreedyTakesTheArgMaxAndReportsTemperatureOneLogProbs()
    {
        using var model = TinyModels.Create();
        var result = Sampler.Generate(model, Prompts, new SamplingOptions { Greedy = true, MaxNewTokens = 8, StopTokenIds = [] }, [0, 0, 0]);
        using var scope = NewDisposeScope();
        for (int i = 0; i < Prompts.Length; i++)
        {
            var response = result.Sequences[i].TokenIds;
            Assert.Equal(8, response.Length);
            Assert.False(result.Sequences[i].Finished);
            var all = Prompts[i].Concat(response).Select(x => (long)x).ToArray();
            var logits = model.forward(tensor(all, [1, all.Length]), arange(all.Length, dtype: ScalarType.Int64).unsqueeze(0), ones(1, all.Length, dtype: ScalarType.Int64));
            var logp = logits[0].log_softmax(-1);
            for (int t = 0; t < response.Length; t++)
            {
                int position = Prompts[i].Length - 1 + t;
                Assert.Equal(logp[position].argmax().item<long>(), response[t]);
                Assert.True(Math.Abs(logp[position, response[t]].item<float>() - result.Sequences[i].LogProbs[t]) < 1e-4);
            }
        }
    }

    [Fact]
    public void TopKOneEqualsGreedy()
    {
        using var model = TinyModels.Create();
        var greedy = Sampler.Generate(model, Prompts, new SamplingOptions { Greedy = true, MaxNewTokens = 10 }, [0, 0, 0]);
        var topOne = Sampler.Generate(model, Prompts, new SamplingOptions { TopK = 1, Temperature = 1.5, MaxNewTokens = 10 }, [7, 8, 9]);
        for (int i = 0; i < Prompts.Length; i++)
        {
            Assert.Equal(greedy.Sequences[i].TokenIds, topOne.Sequences[i].TokenIds);
            Assert.All(topOne.Sequences[i].LogProbs, lp => Assert.Equal(0f, lp)); // a one-token distribution
        }
    }

    [Fact]
    public void TemperatureOneSamplingLogProbsEqualScores()
    {
        using var model = TinyModels.Create();
        var result = Sampler.Generate(model, Prompts, new SamplingOptions { MaxNewTokens = 12 }, [3, 1, 4]);
        var scores = Scorer.Score(model, Prompts, result.Sequences.Select(s => s.TokenIds).ToArray(), 3);
        for (int i = 0; i < Prompts.Length; i++)
            for (int t = 0; t < scores[i].TokenLogProbs.Length; t++)
                Assert.True(Math.Abs(scores[i].TokenLogProbs[t] - result.Sequences[i].LogProbs[t]) < 1e-4);
    }

    [Fact]
    public void FilteredSamplingStaysInsideTheFilterAndRenormalises()
    {
        using var model = TinyModels.Create();
        var result = Sampler.Generate(model, Prompts, new SamplingOptions { MaxNewTokens = 12, TopK = 3, TopP = 0.8, StopTokenIds = [] }, [5, 6, 7]);
        var scores = Scorer.Score(model, Prompts, result.Sequences.Select(s => s.TokenIds).ToArray(), 3);
        using var scope = NewDisposeScope();
        for (int i = 0; i < Prompts.Length; i++)
        {
            var response = result.Sequences[i].TokenIds;
            var all = Prompts[i].Concat(response).Select(x => (long)x).ToArray();
            var logits = model.forward(tensor(all, [1, all.Length]), arange(all.Length, dtype: ScalarType.Int64).unsqueeze(0), ones(1, all.Length, dtype: ScalarType.Int64));
            for (int t = 0; t < response.Length; t++)
            {
                var top3 = logits[0, Prompts[i].Length - 1 + t].topk(3).indexes.data<long>().ToArray();
                Assert.Contains((long)response[t], top3);
                // Renormalised over the kept tokens, the sampled log-prob is at least the unfiltered one.
                Assert.True(result.Sequences[i].LogProbs[t] >= scores[i].TokenLogProbs[t] - 1e-5);
            }
        }
    }

    [Fact]
    public void SequencesStopAtTheirOwnEos()
    {
        using var model = TinyModels.Create();
        var greedy = Sampler.Generate(model, Prompts, new SamplingOptions { Greedy = true, MaxNewTokens = 10, StopTokenIds = [] }, [0, 0, 0]);
        // Make the third greedy token of sequence 0 the stop token: it must end there, EOS included.
        int stop = greedy.Sequences[0].TokenIds[2];
        int firstStop = Array.IndexOf(greedy.Sequences[0].TokenIds, stop);
        var stopped = Sampler.Generate(model, Prompts, new SamplingOptions { Greedy = true, MaxNewTokens = 10, StopTokenIds = [stop] }, [0, 0, 0]);
        Assert.True(stopped.Sequences[0].Finished);
        Assert.Equal(greedy.Sequences[0].TokenIds.Take(firstStop + 1), stopped.Sequences[0].TokenIds);
        Assert.Equal(firstStop + 1, stopped.Sequences[0].LogProbs.Length);
        for (int i = 1; i < Prompts.Length; i++)
        {
            var expected = greedy.Sequences[i].TokenIds;
            int index = Array.IndexOf(expected, stop);
            Assert.Equal(index >= 0 ? expected.Take(index + 1) : expected, stopped.Sequences[i].TokenIds);
            Assert.Equal(index >= 0, stopped.Sequences[i].Finished);
        }
    }

    [Fact]
    public void BatchStopsEarlyWhenEverySequenceFinished()
    {
        using var model = TinyModels.Create();
        var greedy = Sampler.Generate(model, [Prompts[0]], new SamplingOptions { Greedy = true, MaxNewTokens = 3, StopTokenIds = [] }, [0]);
        int stop = greedy.Sequences[0].TokenIds[0];
        var result = Sampler.Generate(model, [Prompts[0]], new SamplingOptions { Greedy = true, MaxNewTokens = 50, StopTokenIds = [stop] }, [0]);
        Assert.Equal([stop], result.Sequences[0].TokenIds);
        Assert.True(result.Sequences[0].Finished);
    }

    [Fact]
    public void CounterRandomIsAPureFunctionOfSeedAndStep()
    {
        Assert.Equal(CounterRandom.Uniform(5, 7), CounterRandom.Uniform(5, 7));
        Assert.NotEqual(CounterRandom.Uniform(5, 7), CounterRandom.Uniform(5, 8));
        Assert.NotEqual(CounterRandom.Uniform(5, 7), CounterRandom.Uniform(6, 7));
        // Roughly uniform: the mean of 20,000 draws is 1/2 within 5 standard errors (σ/√n = 0.289/141 ≈ 0.002).
        double mean = Enumerable.Range(0, 20_000).Average(i => CounterRandom.Uniform(123, i));
        Assert.InRange(mean, 0.49, 0.51);
    }
}

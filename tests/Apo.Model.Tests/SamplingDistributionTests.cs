using Apo.Model.Inference;
using static TorchSharp.torch;

namespace Apo.Model.Tests;

/// <summary>
/// Token frequencies over many seeded draws against the distribution they claim to come from. The
/// expected distributions are computed here in plain double arithmetic with the semantics of Hugging
/// Face's warpers (TemperatureLogitsWarper, TopKLogitsWarper, then TopPLogitsWarper on the renormalised
/// top-k distribution: a token stays while the mass of the more likely tokens is below p). Each
/// frequency must lie within 4.5 binomial standard errors of its probability (plus one draw for
/// granularity); a wrongly filtered or unrenormalised distribution misses by 10+ standard errors.
/// </summary>
public class SamplingDistributionTests
{
    const int Draws = 40_000;
    static readonly double[] Logits = [2.0, 1.6, 1.1, 0.9, 0.3, -0.2, -0.8, -1.5, -2.5, -4.0];

    static double[] Expected(double temperature, int topK, double topP)
    {
        var order = Enumerable.Range(0, Logits.Length).OrderByDescending(i => Logits[i]).ToArray();
        var keep = new bool[Logits.Length];
        int k = topK > 0 ? Math.Min(topK, Logits.Length) : Logits.Length;
        for (int r = 0; r < k; r++) keep[order[r]] = true;
        double[] Normalised(bool[] kept)
        {
            var weights = Logits.Select((l, i) => kept[i] ? Math.Exp(l / temperature) : 0.0).ToArray();
            double total = weights.Sum();
            return weights.Select(w => w / total).ToArray();
        }
        var probs = Normalised(keep);
        if (topP < 1)
        {
            double before = 0;
            foreach (int i in order)
            {
                if (!keep[i]) continue;
                if (before >= topP) keep[i] = false;
                before += probs[i];
            }
            probs = Normalised(keep);
        }
        return probs;
    }

    static double[] Frequencies(SamplingOptions options)
    {
        using var scope = NewDisposeScope();
        var logits = tensor(Logits.Select(x => (float)x).ToArray(), [1, Logits.Length]).expand(Draws, -1);
        var uniforms = Enumerable.Range(0, Draws).Select(i => (float)CounterRandom.Uniform(2026, i)).ToArray();
        var (tokens, _) = TokenChooser.ChooseOnHost(logits, uniforms, options);
        var counts = new double[Logits.Length];
        foreach (var t in tokens) counts[t]++;
        return counts.Select(c => c / Draws).ToArray();
    }

    static void AssertMatches(double[] expected, double[] observed, int draws, string what)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = 4.5 * Math.Sqrt(expected[i] * (1 - expected[i]) / draws) + 1.0 / draws;
            Assert.True(Math.Abs(observed[i] - expected[i]) <= tolerance,
                $"{what}: token {i} drawn with frequency {observed[i]:F4}, expected {expected[i]:F4} ± {tolerance:F4}");
        }
    }

    [Theory]
    [InlineData(1.0, 0, 1.0)]
    [InlineData(0.7, 0, 1.0)]
    [InlineData(1.3, 0, 1.0)]
    [InlineData(1.0, 4, 1.0)]
    [InlineData(1.0, 0, 0.8)]
    [InlineData(1.0, 5, 0.75)]  // top-p over the top-5 renormalised: keeps 3 tokens; over the raw softmax it would keep 4
    [InlineData(0.8, 6, 0.9)]
    public void FrequenciesMatchTheFilteredRenormalisedSoftmax(double temperature, int topK, double topP)
    {
        var expected = Expected(temperature, topK, topP);
        var observed = Frequencies(new SamplingOptions { Temperature = temperature, TopK = topK, TopP = topP });
        AssertMatches(expected, observed, Draws, $"T={temperature} top-k={topK} top-p={topP}");
        for (int i = 0; i < expected.Length; i++)
            if (expected[i] == 0) Assert.Equal(0, observed[i]); // filtered tokens are never drawn
    }

    [Fact]
    public void TopPIsAppliedAfterTopKRenormalises()
    {
        // The case above that tells the two orders apart really does: the kept sets differ.
        var renormalised = Expected(1.0, 5, 0.75).Count(p => p > 0);
        var raw = Expected(1.0, 0, 0.75).Count(p => p > 0);
        Assert.Equal(3, renormalised);
        Assert.Equal(4, raw);
    }

    [Fact]
    public void TheEnginesFirstTokensFollowTheModelsSoftmax()
    {
        using var model = TinyModels.Create();
        int[] prompt = [5, 9, 14, 3];
        const int samples = 6_000;
        var options = new SamplingOptions { MaxNewTokens = 1, StopTokenIds = [] };
        var drawn = Sampler.Generate(model, [new PromptSamples(prompt, Enumerable.Range(0, samples).Select(i => (long)i).ToArray())],
            options, new SamplerSettings { Slots = 64 })[0];
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = tensor(prompt.Select(x => (long)x).ToArray(), [1, prompt.Length]);
        var logits = model.forward(ids, arange(prompt.Length, dtype: ScalarType.Int64).unsqueeze(0), null)[0, -1];
        var expected = logits.to(ScalarType.Float64).softmax(-1).data<double>().ToArray();
        var observed = new double[expected.Length];
        foreach (var s in drawn) observed[s.TokenIds[0]] += 1.0 / samples;
        AssertMatches(expected, observed, samples, "first token");
    }
}

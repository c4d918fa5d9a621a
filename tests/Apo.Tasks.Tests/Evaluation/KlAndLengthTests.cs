using Apo.Tasks.Evaluation;

namespace Apo.Tasks.Tests.Evaluation;

public class KlAndLengthTests
{
    [Fact]
    public void Kl_is_the_mean_sequence_sum_and_the_token_weighted_mean()
    {
        // seq 0: (−1 − −2) + (−0.5 − −0.5) = 1.0 over 2 tokens
        // seq 1: (−0.1 − −0.4) = 0.3 over 1 token
        double[][] policy = [[-1.0, -0.5], [-0.1]];
        double[][] reference = [[-2.0, -0.5], [-0.4]];
        var kl = KlEstimate.FromLogProbs(policy, reference);
        Assert.Equal((1.0 + 0.3) / 2, kl.PerSequence, 12); // mean over sequences of Σ_t
        Assert.Equal((1.0 + 0.3) / 3, kl.PerToken, 12);    // total over all 3 tokens
        Assert.Equal(2, kl.Sequences);
        Assert.Equal(3, kl.Tokens);
    }

    [Fact]
    public void Kl_of_a_policy_with_itself_is_zero()
    {
        float[][] same = [[-0.3f, -1.7f, -0.01f], [-2.2f]];
        var kl = KlEstimate.FromLogProbs(same, same);
        Assert.Equal(0.0, kl.PerSequence);
        Assert.Equal(0.0, kl.PerToken);
    }

    [Fact]
    public void Kl_estimate_converges_to_the_analytic_kl_for_sampled_tokens()
    {
        // Independent check: one-token responses from π = (0.7, 0.3) against π_ref = (0.5, 0.5).
        // Analytic KL = 0.7 ln 1.4 + 0.3 ln 0.6.
        double analytic = 0.7 * Math.Log(1.4) + 0.3 * Math.Log(0.6);
        var random = new Random(12345);
        var policy = new List<IReadOnlyList<double>>();
        var reference = new List<IReadOnlyList<double>>();
        for (int i = 0; i < 200_000; i++)
        {
            bool first = random.NextDouble() < 0.7;
            policy.Add([Math.Log(first ? 0.7 : 0.3)]);
            reference.Add([Math.Log(0.5)]);
        }
        var kl = KlEstimate.FromLogProbs(policy, reference);
        Assert.Equal(analytic, kl.PerSequence, 2);
        Assert.Equal(kl.PerSequence, kl.PerToken, 12); // one token per sequence
    }

    [Fact]
    public void Kl_rejects_mismatched_or_non_finite_inputs()
    {
        Assert.Contains("sequence 1", Assert.Throws<ArgumentException>(() =>
            KlEstimate.FromLogProbs(new double[][] { [-1], [-1, -2] }, new double[][] { [-1], [-1] })).Message);
        Assert.Throws<ArgumentException>(() => KlEstimate.FromLogProbs(new double[][] { [-1] }, new double[][] { }));
        Assert.Contains("token 0", Assert.Throws<ArgumentException>(() =>
            KlEstimate.FromLogProbs(new double[][] { [double.NegativeInfinity] }, new double[][] { [-1] })).Message);
        Assert.Throws<ArgumentException>(() => KlEstimate.FromLogProbs(new double[][] { }, new double[][] { }));
    }

    [Fact]
    public void Length_statistics_use_linear_interpolation()
    {
        // sorted: 10 20 30 40 100; median = 30; p90 at position 4·0.9 = 3.6 → 40 + 0.6·60 = 76.
        var stats = LengthStatistics.Of([100, 30, 10, 40, 20]);
        Assert.Equal(5, stats.Count);
        Assert.Equal(40.0, stats.Mean);
        Assert.Equal(30.0, stats.Median);
        Assert.Equal(76.0, stats.P90, 12);
        Assert.Equal(100, stats.Max);
        // even count: median is the mean of the middle two
        Assert.Equal(25.0, LengthStatistics.Of([10, 20, 30, 40]).Median);
        Assert.Equal(7.0, LengthStatistics.Of([7]).P90);
    }

    [Fact]
    public void Length_statistics_reject_empty_or_negative()
    {
        Assert.Throws<ArgumentException>(() => LengthStatistics.Of([]));
        Assert.Throws<ArgumentException>(() => LengthStatistics.Of([3, -1]));
    }

    [Fact]
    public void Truncation_counts_responses_that_hit_the_limit_without_eos()
    {
        // 1024 without EOS: truncated. 1024 with EOS: finished exactly at the limit. 500 without EOS
        // (stopped by a stop string): not truncated.
        int[] lengths = [1024, 1024, 500, 12];
        bool[] eos = [false, true, false, true];
        Assert.Equal(0.25, LengthStatistics.TruncationRate(lengths, eos, 1024));
    }

    [Fact]
    public void Truncation_rejects_lengths_over_the_limit()
    {
        var error = Assert.Throws<ArgumentException>(() => LengthStatistics.TruncationRate([1030], [false], 1024));
        Assert.Contains("response 0 has 1030 tokens", error.Message);
        Assert.Throws<ArgumentException>(() => LengthStatistics.TruncationRate([1, 2], [false], 1024));
        Assert.Throws<ArgumentOutOfRangeException>(() => LengthStatistics.TruncationRate([1], [false], 0));
    }
}

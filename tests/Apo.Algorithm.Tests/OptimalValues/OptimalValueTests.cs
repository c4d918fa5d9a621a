using Apo.Algorithm.OptimalValues;

namespace Apo.Algorithm.Tests.OptimalValues;

public class OptimalValueTests
{
    [Theory]
    [InlineData(0)] [InlineData(1)] [InlineData(2)] [InlineData(3)] [InlineData(4)]
    [InlineData(5)] [InlineData(6)] [InlineData(7)] [InlineData(8)]
    public void Eight_binary_samples_at_beta_half_match_the_closed_form(int correct)
    {
        // (1/8)·Σ exp(r_i/0.5) = ((8 − k)·e⁰ + k·e²)/8 = 1 + (k/8)(e² − 1), so V̂* = 0.5·ln(1 + (k/8)(e² − 1)).
        var rewards = Enumerable.Range(0, 8).Select(i => i < correct ? 1.0 : 0.0).ToArray();
        var expected = 0.5 * Math.Log(1 + correct / 8.0 * (Math.Exp(2) - 1));

        Assert.Equal(expected, OptimalValue.Estimate(rewards, 0.5), 14);
    }

    [Fact]
    public void Small_beta_approaches_the_maximum()
    {
        double[] rewards = [0.0, 0.25, 1.0, 0.5];
        // β1·log((1/N)Σexp(r/β1)) = max + β1·log((1 + Σ_{others} e^{(r−max)/β1})/N) → max + β1·log(1/N).
        var estimate = OptimalValue.Estimate(rewards, 1e-3);
        Assert.Equal(1.0 + 1e-3 * Math.Log(1.0 / 4), estimate, 10);
        Assert.True(Math.Abs(OptimalValue.Estimate(rewards, 1e-9) - 1.0) < 1e-8);
    }

    [Fact]
    public void Large_beta_approaches_the_mean()
    {
        double[] rewards = [0.0, 0.25, 1.0, 0.5];
        var mean = rewards.Average();
        // Cumulant expansion of β·log E[exp(r/β)]: mean + κ2/(2β) + κ3/(6β²) + O(β⁻³),
        // κ2, κ3 the population central moments of r.
        var kappa2 = rewards.Select(r => Math.Pow(r - mean, 2)).Average();
        var kappa3 = rewards.Select(r => Math.Pow(r - mean, 3)).Average();
        const double beta1 = 1e4;
        Assert.Equal(mean + kappa2 / (2 * beta1) + kappa3 / (6 * beta1 * beta1), OptimalValue.Estimate(rewards, beta1), 14);
        Assert.Equal(mean, OptimalValue.Estimate(rewards, 1e12), 12);
        Assert.Equal(mean, OptimalValue.Estimate(rewards, double.PositiveInfinity), 15);
    }

    [Fact]
    public void Estimate_lies_between_mean_and_max()
    {
        double[] rewards = [0, 1, 1, 0, 0, 0, 1, 0];
        foreach (var beta1 in new[] { 0.01, 0.1, 0.5, 1, 5, 50 })
        {
            var v = OptimalValue.Estimate(rewards, beta1);
            Assert.InRange(v, rewards.Average(), rewards.Max());
        }
    }

    [Fact]
    public void Beta_zero_is_the_plain_mean_as_in_the_reference_code()
    {
        Assert.Equal(3.0 / 8, OptimalValue.Estimate([0, 1, 1, 0, 0, 0, 1, 0], 0), 15);
    }

    [Fact]
    public void Tiny_beta_with_binary_rewards_does_not_overflow()
    {
        // r/β1 = 1e6: exp would overflow without the max shift. Exact value 1 + 1e-6·ln(k/8).
        double[] rewards = [0, 1, 0, 0, 1, 0, 0, 0];
        var v = OptimalValue.Estimate(rewards, 1e-6);
        Assert.True(double.IsFinite(v));
        Assert.Equal(1 + 1e-6 * Math.Log(2.0 / 8), v, 12);
        Assert.Equal(0.0, OptimalValue.Estimate([0, 0, 0, 0, 0, 0, 0, 0], 1e-6), 15);
    }

    [Fact]
    public void Bad_input_is_rejected_with_argument_exceptions()
    {
        Assert.Throws<ArgumentNullException>(() => OptimalValue.Estimate(null!, 0.5));
        var empty = Assert.Throws<ArgumentException>(() => OptimalValue.Estimate([], 0.5));
        Assert.Contains("empty", empty.Message);
        var nan = Assert.Throws<ArgumentException>(() => OptimalValue.Estimate([0, double.NaN], 0.5));
        Assert.Contains("reward 1", nan.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => OptimalValue.Estimate([0, 1], -0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => OptimalValue.Estimate([0, 1], double.NaN));
    }
}

using Apo.Algorithm.AStarPo;
using TorchSharp;
using static TorchSharp.torch;

namespace Apo.Algorithm.Tests.AStarPo;

public class AStarPoLossTests
{
    [Fact]
    public void Hand_computed_two_sequence_example()
    {
        // β2 = 0.1.
        // seq 0: logπ = −3, logπref = −5, r = 1, V̂* = 0.4 → 0.1·2 − 0.6 = −0.4 → 0.16
        // seq 1: logπ = −8, logπref = −6, r = 0, V̂* = 0.4 → 0.1·(−2) + 0.4 = 0.2 → 0.04
        // mean = (0.16 + 0.04)/2 = 0.1
        using var scope = NewDisposeScope();
        var loss = AStarPoLoss.Compute(
            tensor(new[] { -3.0, -8.0 }), tensor(new[] { -5.0, -6.0 }),
            tensor(new[] { 1.0, 0.0 }), tensor(new[] { 0.4, 0.4 }), beta2: 0.1);
        Assert.Equal(0.1, loss.ToDouble(), 12);
    }

    [Fact]
    public void Loss_is_zero_at_the_optimal_log_ratio()
    {
        // logπ − logπref = (r − V̂*)/β2 for every sequence ⇒ every residual is 0.
        using var scope = NewDisposeScope();
        const double beta2 = 1e-3;
        var reference = tensor(new[] { -12.5, -3.25, -40.0, -7.0 });
        var rewards = tensor(new[] { 1.0, 0.0, 1.0, 0.0 });
        var vStar = tensor(new[] { 0.3, 0.3, 0.9, 0.05 });
        var policy = reference + (rewards - vStar) / beta2;
        var loss = AStarPoLoss.Compute(policy, reference, rewards, vStar, beta2);
        Assert.Equal(0.0, loss.ToDouble(), 12);
    }

    [Fact]
    public void Gradient_matches_the_analytic_formula_and_finite_differences()
    {
        using var scope = NewDisposeScope();
        const double beta2 = 0.05;
        double[] policy = [-4.0, -9.5, -1.25];
        double[] reference = [-5.0, -7.0, -2.0];
        double[] rewards = [1, 0, 1];
        double[] vStar = [0.6, 0.6, 0.2];
        const int b = 3;

        var x = tensor(policy, dtype: float64).requires_grad_();
        var loss = AStarPoLoss.Compute(x, tensor(reference), tensor(rewards), tensor(vStar), beta2);
        loss.backward();
        var autograd = x.grad!.data<double>().ToArray();

        double Loss(double[] p) => Enumerable.Range(0, b)
            .Select(i => Math.Pow(beta2 * (p[i] - reference[i]) - (rewards[i] - vStar[i]), 2)).Average();

        for (var i = 0; i < b; i++)
        {
            // ∂ℓ/∂logπ_i = 2β2(β2Δ_i − (r_i − V̂*_i))/B
            var analytic = 2 * beta2 * (beta2 * (policy[i] - reference[i]) - (rewards[i] - vStar[i])) / b;
            const double h = 1e-4;
            var plus = (double[])policy.Clone(); plus[i] += h;
            var minus = (double[])policy.Clone(); minus[i] -= h;
            var finiteDifference = (Loss(plus) - Loss(minus)) / (2 * h);

            Assert.Equal(analytic, autograd[i], 12);
            Assert.Equal(analytic, finiteDifference, 9);
        }
    }

    [Fact]
    public void Reference_log_probs_rewards_and_values_receive_no_gradient()
    {
        using var scope = NewDisposeScope();
        var policy = tensor(new[] { -1.0, -2.0 }).requires_grad_();
        var reference = tensor(new[] { -1.5, -2.5 }).requires_grad_();
        var loss = AStarPoLoss.Compute(policy, reference, tensor(new[] { 1.0, 0.0 }), tensor(new[] { 0.5, 0.5 }), 0.1);
        loss.backward();
        Assert.NotNull(policy.grad);
        Assert.Null(reference.grad);
    }

    [Fact]
    public void Entropy_bonus_subtracts_coefficient_times_token_mean_entropy()
    {
        // Regression part: β2 = 1, Δ = (0, 0), r − V̂* = (1, −1) → residuals (−1, 1) → mean square 1.
        // Entropy over valid tokens: {2, 4, 6} (the masked 100 is ignored) → token mean 4.
        // Loss = 1 − 0.5·4 = −1.
        using var scope = NewDisposeScope();
        var entropy = tensor(new double[,] { { 2, 4 }, { 6, 100 } });
        var mask = tensor(new double[,] { { 1, 1 }, { 1, 0 } });
        var loss = AStarPoLoss.Compute(
            tensor(new[] { -1.0, -1.0 }), tensor(new[] { -1.0, -1.0 }),
            tensor(new[] { 1.0, 0.0 }), tensor(new[] { 0.0, 1.0 }), 1.0,
            entropy, mask, entropyCoefficient: 0.5);
        Assert.Equal(-1.0, loss.ToDouble(), 12);
    }

    [Fact]
    public void Mismatched_shapes_and_bad_beta_are_rejected()
    {
        using var scope = NewDisposeScope();
        var two = tensor(new[] { 0.0, 0.0 });
        var three = tensor(new[] { 0.0, 0.0, 0.0 });
        Assert.Throws<ArgumentException>(() => AStarPoLoss.Compute(two, three, two, two, 0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => AStarPoLoss.Compute(two, two, two, two, 0));
        Assert.Throws<ArgumentException>(() => AStarPoLoss.Compute(two, two, two, two, 0.1, entropyCoefficient: 0.1));
    }
}

using TorchSharp;
using Apo.Algorithm.Baselines.Rebel;
using static Apo.Algorithm.Tests.TestTensors;
using static TorchSharp.torch;

namespace Apo.Algorithm.Tests.Baselines.Rebel;

public class RebelLossTests
{
    // Pair 0: change(y) = −10 − (−12) = 2, change(y′) = −5 − (−4) = −1, diff 3 → 3/1000 = 0.003;
    //         r − r′ = 1 − 0 = 1 → residual −0.997 → 0.994009.
    // Pair 1: change(y) = 0.5, change(y′) = 0.5 → 0; r − r′ = 0 − 1 = −1 → residual 1 → 1.
    // mean = (0.994009 + 1)/2 = 0.9970045.
    private const double Expected = (0.997 * 0.997 + 1.0) / 2;

    [Fact]
    public void Hand_computed_pairs()
    {
        using var scope = NewDisposeScope();
        var logp = Vec(-10, -3.5).requires_grad_();
        var loss = RebelLoss.Compute(logp, Vec(-12, -4), Vec(1, 0), Vec(-5, -1.5), Vec(-4, -2), Vec(0, 1));
        Assert.Equal(Expected, loss.ToDouble(), 12);

        // ∂/∂logπ(y) of pair 0 = 2 · residual · (1/η) / P = 2 · (−0.997) · 1e-3 / 2.
        loss.backward();
        Assert.Equal(-0.997e-3, Values(logp.grad!)[0], 12);
    }

    [Fact]
    public void Adjacent_pair_layout_gives_the_same_loss()
    {
        using var scope = NewDisposeScope();
        var loss = RebelLoss.ComputeAdjacentPairs(Vec(-10, -5, -3.5, -1.5), Vec(-12, -4, -4, -2), Vec(1, 0, 0, 1));
        Assert.Equal(Expected, loss.ToDouble(), 12);
        Assert.Throws<ArgumentException>(() => RebelLoss.ComputeAdjacentPairs(Vec(1, 2, 3), Vec(1, 2, 3), Vec(1, 2, 3)));
    }
}

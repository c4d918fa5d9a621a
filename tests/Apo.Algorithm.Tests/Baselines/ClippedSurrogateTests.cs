using TorchSharp;
using Apo.Algorithm.Baselines;
using static Apo.Algorithm.Tests.TestTensors;
using static TorchSharp.torch;

namespace Apo.Algorithm.Tests.Baselines;

public class ClippedSurrogateTests
{
    // ratios ρ = exp(logp − old): row 0 (A = +1): 1.5, 0.5, 1.1; row 1 (A = −1): 4, 1, (masked).
    private static (Tensor LogP, Tensor Old, Tensor Adv, Tensor Mask) Example()
    {
        var old = Mat(new double[,] { { -1, -2, -3 }, { -1, -2, -3 } });
        var logp = Mat(new double[,]
        {
            { -1 + Math.Log(1.5), -2 + Math.Log(0.5), -3 + Math.Log(1.1) },
            { -1 + Math.Log(4.0), -2, 7 },
        }).requires_grad_();
        var adv = Mat(new double[,] { { 1, 1, 1 }, { -1, -1, -1 } });
        var mask = Mat(new double[,] { { 1, 1, 1 }, { 1, 1, 0 } });
        return (logp, old, adv, mask);
    }

    [Fact]
    public void Token_mean_of_clipped_surrogate_with_dual_clip()
    {
        // Per token max(−Aρ, −A·clip(ρ, 0.8, 1.2)):
        //   ρ=1.5: max(−1.5, −1.2) = −1.2   ρ=0.5: max(−0.5, −0.8) = −0.5   ρ=1.1: −1.1
        //   A=−1, ρ=4: max(4, 1.2) = 4, dual clip min(4, 3) = 3   ρ=1: 1   (masked token ignored)
        // token mean = (−1.2 − 0.5 − 1.1 + 3 + 1)/5 = 0.24; without the dual clip (−2.8 + 5)/5 = 0.44.
        using var scope = NewDisposeScope();
        var (logp, old, adv, mask) = Example();
        Assert.Equal(0.24, ClippedSurrogate.Loss(logp, old, adv, mask).ToDouble(), 12);
        Assert.Equal(0.44, ClippedSurrogate.Loss(logp, old, adv, mask, dualClip: null).ToDouble(), 12);
    }

    [Fact]
    public void Clipped_tokens_get_no_gradient()
    {
        // ∂/∂logp of −Aρ/5 is −Aρ/5 where the unclipped branch is active, 0 where clipped:
        //   row 0: [0, −0.5/5, −1.1/5]; row 1: [0 (dual-clipped), +1/5, 0 (masked)].
        using var scope = NewDisposeScope();
        var (logp, old, adv, mask) = Example();
        ClippedSurrogate.Loss(logp, old, adv, mask).backward();
        var grad = Values(logp.grad!);
        double[] expected = [0, -0.1, -0.22, 0, 0.2, 0];
        for (var i = 0; i < 6; i++) Assert.Equal(expected[i], grad[i], 12);
    }
}

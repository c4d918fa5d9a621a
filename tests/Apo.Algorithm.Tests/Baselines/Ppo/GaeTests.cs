using TorchSharp;
using Apo.Algorithm.Baselines.Ppo;
using static Apo.Algorithm.Tests.TestTensors;
using static TorchSharp.torch;

namespace Apo.Algorithm.Tests.Baselines.Ppo;

public class GaeTests
{
    private static (Tensor Rewards, Tensor Values, Tensor Mask) Example() => (
        Mat(new double[,] { { 0, 0, 1 }, { 0.2, -0.1, 0 } }),
        Mat(new double[,] { { 0.5, 0.6, 0.7 }, { 0.1, 0.3, 9 } }),
        Mat(new double[,] { { 1, 1, 1 }, { 1, 1, 0 } }));

    [Fact]
    public void Gamma_lambda_one_gives_reward_to_go_minus_value()
    {
        // Row 0: reward-to-go [1, 1, 1] − V [0.5, 0.6, 0.7] = [0.5, 0.4, 0.3].
        // Row 1 (last position is padding): t=1: δ = −0.1 − 0.3 = −0.4; t=0: δ = 0.2 + 0.3 − 0.1 = 0.4, A = 0.4 − 0.4 = 0.
        // Returns = A + V: [1, 1, 1] and [0.1, −0.1, (pad)].
        using var scope = NewDisposeScope();
        var (r, v, m) = Example();
        using var gae = Gae.Compute(r, v, m, whiten: false);
        var a = Values(gae.Advantages);
        var ret = Values(gae.Returns);
        double[] expectedA = [0.5, 0.4, 0.3, 0.0, -0.4, 0];
        double[] expectedR = [1, 1, 1, 0.1, -0.1];
        for (var i = 0; i < 6; i++) Assert.Equal(expectedA[i], a[i], 12);
        for (var i = 0; i < 5; i++) Assert.Equal(expectedR[i], ret[i], 12);
    }

    [Fact]
    public void General_gamma_and_lambda()
    {
        // γ = 0.9, λ = 0.5, r = [0, 1], V = [0.5, 0.2]:
        // t=1: δ = 1 − 0.2 = 0.8, A1 = 0.8; t=0: δ = 0 + 0.9·0.2 − 0.5 = −0.32, A0 = −0.32 + 0.45·0.8 = 0.04.
        using var scope = NewDisposeScope();
        using var gae = Gae.Compute(Mat(new double[,] { { 0, 1 } }), Mat(new double[,] { { 0.5, 0.2 } }),
            Mat(new double[,] { { 1, 1 } }), gamma: 0.9, lambda: 0.5, whiten: false);
        var a = Values(gae.Advantages);
        Assert.Equal(0.04, a[0], 12);
        Assert.Equal(0.8, a[1], 12);
        Assert.Equal([0.54, 1.0], Values(gae.Returns).Select(x => Math.Round(x, 12)));
    }

    [Fact]
    public void Whitening_uses_masked_mean_and_unbiased_variance()
    {
        // Valid advantages {0.5, 0.4, 0.3, 0.0, −0.4}: mean 0.16, squared deviations sum 0.532, unbiased var 0.133.
        using var scope = NewDisposeScope();
        var (r, v, m) = Example();
        using var gae = Gae.Compute(r, v, m);
        var a = Values(gae.Advantages);
        var scale = 1 / Math.Sqrt(0.133 + 1e-8);
        Assert.Equal((0.5 - 0.16) * scale, a[0], 10);
        Assert.Equal((-0.4 - 0.16) * scale, a[4], 10);
        Assert.Equal(1.0, Values(gae.Returns)[0], 12);   // returns are never whitened
    }
}

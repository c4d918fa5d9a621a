using TorchSharp;
using Apo.Algorithm.Baselines;
using static Apo.Algorithm.Tests.TestTensors;
using static TorchSharp.torch;

namespace Apo.Algorithm.Tests.Baselines;

public class KlEstimatorsTests
{
    [Fact]
    public void K3_is_exp_minus_log_ratio_minus_one_with_verl_clamps()
    {
        using var scope = NewDisposeScope();
        // d = ref − logp: ln 2 → 2 − ln 2 − 1; 0 → 0; −1 → e⁻¹ + 1 − 1 = e⁻¹; 30 → clamped to 20 → e²⁰ − 21 → clamped to 10.
        var logp = Vec(-Math.Log(2), -1, 0, -30);
        var reference = Vec(0, -1, -1, 0);
        var k3 = Values(KlEstimators.K3(logp, reference));
        Assert.Equal(2 - Math.Log(2) - 1, k3[0], 12);
        Assert.Equal(0.0, k3[1], 12);
        Assert.Equal(Math.Exp(-1), k3[2], 12);
        Assert.Equal(10.0, k3[3], 12);
    }

    [Fact]
    public void K1_is_the_log_ratio()
    {
        using var scope = NewDisposeScope();
        Assert.Equal([0.5, -1.0], Values(KlEstimators.K1(Vec(-1, -3), Vec(-1.5, -2))));
    }
}

using TorchSharp;
using Apo.Algorithm.Baselines.Ppo;
using static Apo.Algorithm.Tests.TestTensors;
using static TorchSharp.torch;

namespace Apo.Algorithm.Tests.Baselines.Ppo;

public class PpoActorLossTests
{
    [Fact]
    public void Surrogate_minus_entropy_bonus()
    {
        // ρ = [1.5, 0.5] with A = [2, −1]:
        //   t0: max(−3, −2·1.2) = −2.4; t1: max(0.5, 0.8) = 0.8 → surrogate mean = (−2.4 + 0.8)/2 = −0.8
        // entropy mean (1 + 3)/2 = 2 → loss = −0.8 − 1e-4·2
        using var scope = NewDisposeScope();
        var old = Mat(new double[,] { { -1, -1 } });
        var logp = Mat(new double[,] { { -1 + Math.Log(1.5), -1 + Math.Log(0.5) } });
        var loss = PpoActorLoss.Compute(logp, old, Mat(new double[,] { { 2, -1 } }), Mat(new double[,] { { 1, 1 } }),
            Mat(new double[,] { { 1, 3 } }));
        Assert.Equal(-0.8 - 2e-4, loss.ToDouble(), 12);
    }
}

using TorchSharp;
using Apo.Algorithm.Baselines.Ppo;
using static Apo.Algorithm.Tests.TestTensors;
using static TorchSharp.torch;

namespace Apo.Algorithm.Tests.Baselines.Ppo;

public class ValueLossTests
{
    [Fact]
    public void Clipped_value_loss_takes_the_larger_error()
    {
        // c = 0.2.
        // t0: V = 1, V_old = 0.5 → clipped 0.7; R = 2: (1 − 2)² = 1, (0.7 − 2)² = 1.69 → 1.69
        // t1: V = 0.9, V_old = 0.2 → clipped 0.4; R = 0: 0.81 vs 0.16 → 0.81
        // t2: masked.   loss = 0.5 · (1.69 + 0.81)/2 = 0.625
        using var scope = NewDisposeScope();
        var loss = ValueLoss.Compute(
            Mat(new double[,] { { 1.0, 0.9, 2.0 } }),
            Mat(new double[,] { { 0.5, 0.2, 0.0 } }),
            Mat(new double[,] { { 2.0, 0.0, 1.0 } }),
            Mat(new double[,] { { 1, 1, 0 } }),
            clipRange: 0.2);
        Assert.Equal(0.625, loss.ToDouble(), 12);
    }
}

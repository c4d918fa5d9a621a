using TorchSharp;
using Apo.Algorithm.Baselines.Grpo;
using static Apo.Algorithm.Tests.TestTensors;
using static TorchSharp.torch;

namespace Apo.Algorithm.Tests.Baselines.Grpo;

public class GrpoLossTests
{
    [Fact]
    public void Surrogate_plus_k3_kl_minus_entropy_on_a_hand_example()
    {
        // One sequence, two tokens, π_θ = π_old so ρ = 1 and the surrogate is −mean(A) = −1.
        // π_ref is 2× as likely on both tokens: ref − logp = ln 2 → k3 = 2 − ln 2 − 1 = 0.306853 on each token.
        // Entropy {2, 4} → token mean 3.
        // loss = −1 + 1e-3 · 0.306853 − 1e-4 · 3
        using var scope = NewDisposeScope();
        var logp = Mat(new double[,] { { -2, -3 } });
        var reference = Mat(new double[,] { { -2 + Math.Log(2), -3 + Math.Log(2) } });
        var advantages = Mat(new double[,] { { 1, 1 } });
        var mask = Mat(new double[,] { { 1, 1 } });
        var entropy = Mat(new double[,] { { 2, 4 } });

        var loss = GrpoLoss.Compute(logp, logp, reference, advantages, mask, entropy);

        Assert.Equal(-1 + 1e-3 * (1 - Math.Log(2)) - 1e-4 * 3, loss.ToDouble(), 12);
    }

    [Fact]
    public void Entropy_is_required_when_its_coefficient_is_positive()
    {
        using var scope = NewDisposeScope();
        var m = Mat(new double[,] { { 1, 1 } });
        Assert.Throws<ArgumentException>(() => GrpoLoss.Compute(m, m, m, m, m, null));
        var noEntropy = new GrpoSettings(EntropyCoefficient: 0);
        Assert.Equal(-1.0, GrpoLoss.Compute(m, m, m, m, m, null, noEntropy).ToDouble(), 12);
    }
}

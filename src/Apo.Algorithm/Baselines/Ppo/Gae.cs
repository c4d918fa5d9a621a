using Apo.Algorithm.TensorMath;
using TorchSharp;
using static TorchSharp.torch;

namespace Apo.Algorithm.Baselines.Ppo;

/// <summary>
/// Generalised Advantage Estimation over response tokens, as verl computes it:
/// δ_t = r_t + γ·V_{t+1} − V_t, A_t = δ_t + γλ·A_{t+1}, returns = A + V, where positions outside
/// the mask are skipped (the next value and the running advantage pass through them unchanged).
/// With γ = λ = 1 (the paper) A_t = Σ_{s≥t} r_s − V_t.
/// </summary>
public static class Gae
{
    /// <param name="tokenRewards">[B, T] per-token rewards (see <see cref="KlRewardShaping.TokenRewards"/>).</param>
    /// <param name="values">[B, T] critic values V_t of the sampling-time critic.</param>
    /// <param name="mask">[B, T] 1 on response tokens.</param>
    /// <param name="gamma">Discount γ ∈ [0, 1].</param>
    /// <param name="lambda">GAE λ ∈ [0, 1].</param>
    /// <param name="whiten">
    /// Whiten the advantages over the valid tokens of the whole batch (masked mean, unbiased
    /// variance, rsqrt(var + 1e-8)) as verl's GAE does; the returns are never whitened.
    /// </param>
    /// <returns>Tensors in the dtype and on the device of <paramref name="values"/>, without gradient.</returns>
    public static GaeResult Compute(Tensor tokenRewards, Tensor values, Tensor mask,
        double gamma = 1.0, double lambda = 1.0, bool whiten = true)
    {
        var (rows, columns) = TensorChecks.RequireMatrix(values, nameof(values));
        TensorChecks.RequireMatrix(tokenRewards, nameof(tokenRewards), rows, columns);
        TensorChecks.RequireMatrix(mask, nameof(mask), rows, columns);
        if (!(gamma >= 0 && gamma <= 1)) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "γ must be in [0, 1].");
        if (!(lambda >= 0 && lambda <= 1)) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "λ must be in [0, 1].");

        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        var r = ToDoubles(tokenRewards);
        var v = ToDoubles(values);
        var m = ToDoubles(mask);
        var advantages = new double[r.Length];

        // A sequential recursion over T: plain doubles beat T tiny tensor ops per step.
        for (long b = 0; b < rows; b++)
        {
            double nextValue = 0, running = 0;
            for (var t = columns - 1; t >= 0; t--)
            {
                var i = b * columns + t;
                var delta = r[i] + gamma * nextValue - v[i];
                var candidate = delta + gamma * lambda * running;
                if (m[i] != 0)
                {
                    nextValue = v[i];
                    running = candidate;
                }
                advantages[i] = running;
            }
        }

        var adv = tensor(advantages, dtype: float64).view(rows, columns);
        var returns = adv + tensor(v, dtype: float64).view(rows, columns);
        if (whiten) adv = Masked.Whiten(adv, tensor(m, dtype: float64).view(rows, columns));

        var dtype = values.dtype;
        var device = values.device;
        var result = new GaeResult(
            adv.to(dtype, device).MoveToOuterDisposeScope(),
            returns.to(dtype, device).MoveToOuterDisposeScope());
        return result;
    }

    private static double[] ToDoubles(Tensor t)
    {
        using var cpu = t.detach().to(ScalarType.Float64, CPU).contiguous();
        return cpu.data<double>().ToArray();
    }
}

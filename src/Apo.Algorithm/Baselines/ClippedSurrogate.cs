using Apo.Algorithm.TensorMath;
using TorchSharp;
using static TorchSharp.torch;

namespace Apo.Algorithm.Baselines;

/// <summary>
/// PPO's clipped surrogate over token log-prob ratios, aggregated "token-mean" (verl's default):
/// per token max(−A·ρ, −A·clip(ρ, 1−ε, 1+ε)) with ρ = exp(logπ_θ − logπ_old); for A &lt; 0 verl also
/// caps the loss at −A·c ("dual clip", c = 3 by default) so a huge ratio on a bad token cannot dominate.
/// </summary>
public static class ClippedSurrogate
{
    /// <summary>verl's default dual-clip constant c.</summary>
    public const double DefaultDualClip = 3.0;

    /// <summary>The token-mean clipped surrogate loss (to minimise).</summary>
    /// <param name="logProbs">[B, T] token log-probs under π_θ, with gradient.</param>
    /// <param name="oldLogProbs">[B, T] token log-probs under the sampling policy π_old (detached here).</param>
    /// <param name="advantages">[B, T] per-token advantages (detached here).</param>
    /// <param name="mask">[B, T] 1 on response tokens.</param>
    /// <param name="clipEpsilon">ε (0.2 in the paper's baselines).</param>
    /// <param name="dualClip">c &gt; 1 for verl's dual clip, or null to switch it off.</param>
    public static Tensor Loss(Tensor logProbs, Tensor oldLogProbs, Tensor advantages, Tensor mask,
        double clipEpsilon = 0.2, double? dualClip = DefaultDualClip)
    {
        var (rows, columns) = TensorChecks.RequireMatrix(logProbs, nameof(logProbs));
        TensorChecks.RequireMatrix(oldLogProbs, nameof(oldLogProbs), rows, columns);
        TensorChecks.RequireMatrix(advantages, nameof(advantages), rows, columns);
        TensorChecks.RequireMatrix(mask, nameof(mask), rows, columns);
        TensorChecks.RequirePositive(clipEpsilon, nameof(clipEpsilon));
        if (dualClip is { } c && !(c > 1.0))
            throw new ArgumentOutOfRangeException(nameof(dualClip), c, "the dual-clip constant must be greater than 1.");

        using var scope = NewDisposeScope();
        var dtype = logProbs.dtype;
        var a = advantages.detach().to_type(dtype);
        // Clamp the log-ratio as verl does: exp of a padding-token garbage value must not overflow.
        var ratio = (logProbs - oldLogProbs.detach().to_type(dtype)).clamp(-20.0, 20.0).exp();
        var unclipped = -a * ratio;
        var clipped = -a * ratio.clamp(1.0 - clipEpsilon, 1.0 + clipEpsilon);
        var perToken = torch.maximum(unclipped, clipped);
        if (dualClip is { } cap)
        {
            var capped = torch.minimum(perToken, -a * cap);
            perToken = torch.where(a < 0, capped, perToken);
        }
        return Masked.Mean(perToken, mask).MoveToOuterDisposeScope();
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Apo.Algorithm.TensorMath;

/// <summary>
/// Statistics over the response tokens only (mask = 1), with verl's conventions: "token-mean"
/// averages over every valid token of the whole mini-batch, variance is Bessel-corrected, and
/// whitening is (x − mean)·rsqrt(var + 1e-8).
/// </summary>
public static class Masked
{
    /// <summary>Σ(values·mask) / Σmask over all elements: verl's "token-mean" aggregation.</summary>
    /// <exception cref="ArgumentException">The mask selects no token.</exception>
    public static Tensor Mean(Tensor values, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var m = mask.to_type(values.dtype);
        var count = m.sum();
        if (count.ToDouble() == 0)
            throw new ArgumentException("the response mask selects no token; a token mean is undefined.", nameof(mask));
        return ((values * m).sum() / count).MoveToOuterDisposeScope();
    }

    /// <summary>Masked variance; unbiased (n − 1 denominator) by default, as verl's masked_var.</summary>
    public static Tensor Variance(Tensor values, Tensor mask, bool unbiased = true)
    {
        using var scope = NewDisposeScope();
        var m = mask.to_type(values.dtype);
        var mean = Mean(values, m);
        var centered = values - mean;
        var variance = Mean(centered * centered, m);
        if (unbiased)
        {
            var n = m.sum().ToDouble();
            if (n < 2)
                throw new ArgumentException("an unbiased variance needs at least two valid tokens.", nameof(mask));
            variance = variance * (n / (n - 1));
        }
        return variance.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// (values − masked mean)·rsqrt(masked unbiased var + 1e-8), as verl's masked_whiten.
    /// Positions outside the mask are transformed too; callers multiply by the mask where it matters.
    /// </summary>
    public static Tensor Whiten(Tensor values, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var mean = Mean(values, mask);
        var variance = Variance(values, mask);
        return ((values - mean) * torch.rsqrt(variance + 1e-8)).MoveToOuterDisposeScope();
    }
}

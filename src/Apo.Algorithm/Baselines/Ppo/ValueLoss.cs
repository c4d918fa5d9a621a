using Apo.Algorithm.TensorMath;
using TorchSharp;
using static TorchSharp.torch;

namespace Apo.Algorithm.Baselines.Ppo;

/// <summary>
/// The critic's clipped value loss, as verl (and TRL) define it:
/// 0.5 · token-mean( max( (V − R)², (clip(V, V_old − c, V_old + c) − R)² ) ).
/// </summary>
public static class ValueLoss
{
    /// <summary>verl's default value clip range c.</summary>
    public const double DefaultClipRange = 0.5;

    /// <param name="values">[B, T] current critic predictions, with gradient.</param>
    /// <param name="oldValues">[B, T] predictions of the critic at sampling time.</param>
    /// <param name="returns">[B, T] targets from <see cref="Gae.Compute"/>.</param>
    /// <param name="mask">[B, T] 1 on response tokens.</param>
    /// <param name="clipRange">c &gt; 0.</param>
    public static Tensor Compute(Tensor values, Tensor oldValues, Tensor returns, Tensor mask, double clipRange = DefaultClipRange)
    {
        var (rows, columns) = TensorChecks.RequireMatrix(values, nameof(values));
        TensorChecks.RequireMatrix(oldValues, nameof(oldValues), rows, columns);
        TensorChecks.RequireMatrix(returns, nameof(returns), rows, columns);
        TensorChecks.RequireMatrix(mask, nameof(mask), rows, columns);
        TensorChecks.RequirePositive(clipRange, nameof(clipRange));

        using var scope = NewDisposeScope();
        var dtype = values.dtype;
        var old = oldValues.detach().to_type(dtype);
        var target = returns.detach().to_type(dtype);
        var clippedValues = torch.minimum(torch.maximum(values, old - clipRange), old + clipRange);
        var unclippedError = (values - target).square();
        var clippedError = (clippedValues - target).square();
        return (Masked.Mean(torch.maximum(unclippedError, clippedError), mask) * 0.5).MoveToOuterDisposeScope();
    }
}

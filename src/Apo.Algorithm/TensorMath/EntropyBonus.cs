using TorchSharp;
using static TorchSharp.torch;

namespace Apo.Algorithm.TensorMath;

/// <summary>The entropy bonus shared by the baselines: loss − coef · token-mean entropy.</summary>
internal static class EntropyBonus
{
    public static Tensor Subtract(Tensor loss, Tensor? tokenEntropy, Tensor mask, double coefficient)
    {
        if (coefficient == 0) return loss;
        if (tokenEntropy is null)
            throw new ArgumentException("an entropy coefficient > 0 needs the per-token entropy [B, T].", nameof(tokenEntropy));
        TensorChecks.RequireMatrix(tokenEntropy, nameof(tokenEntropy), mask.shape[0], mask.shape[1]);
        return loss - Masked.Mean(tokenEntropy.to_type(loss.dtype), mask) * coefficient;
    }
}

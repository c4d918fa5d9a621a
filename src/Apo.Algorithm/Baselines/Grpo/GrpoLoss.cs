using Apo.Algorithm.TensorMath;
using TorchSharp;
using static TorchSharp.torch;

namespace Apo.Algorithm.Baselines.Grpo;

/// <summary>
/// GRPO's actor loss as verl assembles it, every term "token-mean" over the mini-batch:
/// clipped surrogate + klCoef · mean(k3(π_θ, π_ref)) − entropyCoef · mean(entropy).
/// </summary>
public static class GrpoLoss
{
    /// <param name="logProbs">[B, T] token log-probs under π_θ, with gradient.</param>
    /// <param name="oldLogProbs">[B, T] token log-probs under the policy that sampled.</param>
    /// <param name="referenceLogProbs">[B, T] token log-probs under π_ref.</param>
    /// <param name="tokenAdvantages">[B, T] from <see cref="GroupAdvantages.ToTokens"/>.</param>
    /// <param name="mask">[B, T] 1 on response tokens.</param>
    /// <param name="tokenEntropy">[B, T] entropy of π_θ per position; required when the entropy coefficient is &gt; 0.</param>
    /// <param name="settings">Coefficients; null means the paper's defaults.</param>
    public static Tensor Compute(Tensor logProbs, Tensor oldLogProbs, Tensor referenceLogProbs,
        Tensor tokenAdvantages, Tensor mask, Tensor? tokenEntropy, GrpoSettings? settings = null)
    {
        settings ??= new GrpoSettings();
        var (rows, columns) = TensorChecks.RequireMatrix(logProbs, nameof(logProbs));
        TensorChecks.RequireMatrix(referenceLogProbs, nameof(referenceLogProbs), rows, columns);
        TensorChecks.RequireNonNegative(settings.KlCoefficient, nameof(settings.KlCoefficient));
        TensorChecks.RequireNonNegative(settings.EntropyCoefficient, nameof(settings.EntropyCoefficient));

        using var scope = NewDisposeScope();
        var loss = ClippedSurrogate.Loss(logProbs, oldLogProbs, tokenAdvantages, mask, settings.ClipEpsilon, settings.DualClip);
        if (settings.KlCoefficient > 0)
        {
            var kl = KlEstimators.K3(logProbs, referenceLogProbs.detach().to_type(logProbs.dtype));
            loss = loss + Masked.Mean(kl, mask) * settings.KlCoefficient;
        }
        loss = EntropyBonus.Subtract(loss, tokenEntropy, mask, settings.EntropyCoefficient);
        return loss.MoveToOuterDisposeScope();
    }
}

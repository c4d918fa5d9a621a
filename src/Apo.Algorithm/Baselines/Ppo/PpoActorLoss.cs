using Apo.Algorithm.TensorMath;
using TorchSharp;
using static TorchSharp.torch;

namespace Apo.Algorithm.Baselines.Ppo;

/// <summary>
/// PPO's actor loss: clipped surrogate − entropyCoef · token-mean entropy. The KL to π_ref is
/// in the rewards (<see cref="KlRewardShaping"/>), not in this loss.
/// </summary>
public static class PpoActorLoss
{
    /// <param name="logProbs">[B, T] token log-probs under π_θ, with gradient.</param>
    /// <param name="oldLogProbs">[B, T] token log-probs of the sampling policy.</param>
    /// <param name="advantages">[B, T] from <see cref="Gae.Compute"/>.</param>
    /// <param name="mask">[B, T] 1 on response tokens.</param>
    /// <param name="tokenEntropy">[B, T] entropy of π_θ; required when the entropy coefficient is &gt; 0.</param>
    /// <param name="settings">null means the paper's defaults.</param>
    public static Tensor Compute(Tensor logProbs, Tensor oldLogProbs, Tensor advantages, Tensor mask,
        Tensor? tokenEntropy, PpoSettings? settings = null)
    {
        settings ??= new PpoSettings();
        TensorChecks.RequireNonNegative(settings.EntropyCoefficient, nameof(settings.EntropyCoefficient));
        using var scope = NewDisposeScope();
        var loss = ClippedSurrogate.Loss(logProbs, oldLogProbs, advantages, mask, settings.ClipEpsilon, settings.DualClip);
        return EntropyBonus.Subtract(loss, tokenEntropy, mask, settings.EntropyCoefficient).MoveToOuterDisposeScope();
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Apo.Algorithm.Baselines;

/// <summary>
/// Per-token estimators of KL(π_θ ‖ π_ref) from the log-probs of sampled tokens
/// (Schulman, "Approximating KL divergence", 2020), with verl's clamps.
/// </summary>
public static class KlEstimators
{
    /// <summary>k1 = log π_θ − log π_ref (unbiased, high variance). verl's "kl", used in PPO's KL-in-reward.</summary>
    public static Tensor K1(Tensor logProbs, Tensor referenceLogProbs) => logProbs - referenceLogProbs;

    /// <summary>
    /// k3 = exp(ref − logp) − (ref − logp) − 1 (unbiased, ≥ 0, low variance). verl's "low_var_kl",
    /// used in GRPO's KL loss. As verl does, ref − logp is clamped to [−20, 20] before exp and the
    /// result to [−10, 10], so one wild token cannot blow the loss up.
    /// </summary>
    public static Tensor K3(Tensor logProbs, Tensor referenceLogProbs)
    {
        using var scope = NewDisposeScope();
        var logRatio = (referenceLogProbs - logProbs).clamp(-20.0, 20.0);
        var k3 = logRatio.exp() - logRatio - 1.0;
        return k3.clamp(-10.0, 10.0).MoveToOuterDisposeScope();
    }
}

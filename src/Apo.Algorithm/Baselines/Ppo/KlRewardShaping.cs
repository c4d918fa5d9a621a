using Apo.Algorithm.TensorMath;
using TorchSharp;
using static TorchSharp.torch;

namespace Apo.Algorithm.Baselines.Ppo;

/// <summary>
/// PPO's KL-in-reward (verl's apply_kl_penalty with the k1 estimator): every response token gets
/// −coef·(logπ_old − logπ_ref), and the outcome score is added at the last response token.
/// </summary>
public static class KlRewardShaping
{
    /// <param name="scores">[B] outcome reward of each response.</param>
    /// <param name="oldLogProbs">[B, T] token log-probs of the sampling policy.</param>
    /// <param name="referenceLogProbs">[B, T] token log-probs of π_ref.</param>
    /// <param name="mask">[B, T] 1 on response tokens; each row needs at least one.</param>
    /// <param name="klCoefficient">coef ≥ 0 (paper: 1e-3).</param>
    /// <returns>[B, T] token rewards, 0 outside the mask, in the dtype of <paramref name="oldLogProbs"/>, without gradient.</returns>
    public static Tensor TokenRewards(Tensor scores, Tensor oldLogProbs, Tensor referenceLogProbs, Tensor mask, double klCoefficient = 1e-3)
    {
        var (rows, columns) = TensorChecks.RequireMatrix(oldLogProbs, nameof(oldLogProbs));
        TensorChecks.RequireVector(scores, nameof(scores), rows);
        TensorChecks.RequireMatrix(referenceLogProbs, nameof(referenceLogProbs), rows, columns);
        TensorChecks.RequireMatrix(mask, nameof(mask), rows, columns);
        TensorChecks.RequireNonNegative(klCoefficient, nameof(klCoefficient));

        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        var dtype = oldLogProbs.dtype;
        var m = mask.to_type(dtype);
        if ((m.sum(1) == 0).any().ToBoolean())
            throw new ArgumentException("a response has no token in the mask; its score has nowhere to go.", nameof(mask));

        var rewards = -KlEstimators.K1(oldLogProbs, referenceLogProbs.to_type(dtype)) * klCoefficient * m;
        // The last response token is the highest position with mask 1 (works for any padding side).
        var positions = torch.arange(1, columns + 1, dtype: dtype, device: m.device).unsqueeze(0);
        var last = (m * positions).argmax(1, keepdim: true);
        var scoreAtEnd = torch.zeros_like(rewards).scatter_(1, last, scores.to_type(dtype).unsqueeze(1));
        return (rewards + scoreAtEnd).MoveToOuterDisposeScope();
    }
}

using Apo.Algorithm.TensorMath;
using TorchSharp;
using static TorchSharp.torch;

namespace Apo.Algorithm.AStarPo;

/// <summary>
/// Stage 2 of A*-PO: on-policy least-squares regression of the scaled log-ratio onto the
/// optimal advantage, ℓ(x, y) = ( β2·[log π_θ(y|x) − log π_ref(y|x)] − (r(x, y) − V̂*(x)) )²,
/// averaged over sequences. No ratio clipping, no KL penalty, no reward normalisation.
/// </summary>
public static class AStarPoLoss
{
    /// <summary>Paper default β2 for real checkpoints (Qwen2.5 1.5B–7B).</summary>
    public const double DefaultBeta2 = 1e-3;

    /// <summary>
    /// The entropy coefficient the authors' code used (it subtracted 0.001 × token-mean entropy).
    /// Not in the paper's objective; our default is 0 and this constant exists to switch it on knowingly.
    /// </summary>
    public const double AuthorsEntropyCoefficient = 1e-3;

    /// <summary>
    /// mean_b ( β2·(logπ_b − logπref_b) − (r_b − V̂*_b) )², optionally minus
    /// entropyCoefficient × token-mean entropy. Every log-prob is the SUM over the response
    /// tokens (EOS included, padding excluded). Only <paramref name="policyLogProbs"/> (and the
    /// entropy) carry gradient: reference log-probs, rewards and V̂* are detached here.
    /// </summary>
    /// <param name="policyLogProbs">[B] log π_θ(y|x), with gradient.</param>
    /// <param name="referenceLogProbs">[B] log π_ref(y|x).</param>
    /// <param name="rewards">[B] r(x, y).</param>
    /// <param name="vStar">[B] V̂*(x) from stage 1.</param>
    /// <param name="beta2">β2 &gt; 0.</param>
    /// <param name="tokenEntropy">[B, T] per-token entropy of π_θ; needed only when entropyCoefficient &gt; 0.</param>
    /// <param name="responseMask">[B, T] 1 on response tokens; needed only when entropyCoefficient &gt; 0.</param>
    /// <param name="entropyCoefficient">Entropy bonus weight ≥ 0 (default 0; the authors' code used 0.001).</param>
    /// <param name="sequenceShare">For a micro-batch of a larger mini-batch: its sequences / the mini-batch's. The regression
    /// term is a per-sequence mean, so it is scaled by this share.</param>
    /// <param name="tokenShare">Likewise its response tokens / the mini-batch's: the entropy bonus is a token mean, so it is
    /// scaled by this share. With both shares the micro-batch losses sum exactly to the mini-batch loss.</param>
    /// <returns>A scalar loss in the dtype of <paramref name="policyLogProbs"/>; the caller disposes it.</returns>
    public static Tensor Compute(
        Tensor policyLogProbs,
        Tensor referenceLogProbs,
        Tensor rewards,
        Tensor vStar,
        double beta2,
        Tensor? tokenEntropy = null,
        Tensor? responseMask = null,
        double entropyCoefficient = 0,
        double sequenceShare = 1,
        double tokenShare = 1)
    {
        var batch = TensorChecks.RequireVector(policyLogProbs, nameof(policyLogProbs));
        TensorChecks.RequireNonEmpty(batch, nameof(policyLogProbs));
        TensorChecks.RequireVector(referenceLogProbs, nameof(referenceLogProbs), batch);
        TensorChecks.RequireVector(rewards, nameof(rewards), batch);
        TensorChecks.RequireVector(vStar, nameof(vStar), batch);
        TensorChecks.RequirePositive(beta2, nameof(beta2));
        TensorChecks.RequireNonNegative(entropyCoefficient, nameof(entropyCoefficient));
        TensorChecks.RequirePositive(sequenceShare, nameof(sequenceShare));
        TensorChecks.RequirePositive(tokenShare, nameof(tokenShare));

        using var scope = NewDisposeScope();
        var dtype = policyLogProbs.dtype;
        var reference = referenceLogProbs.detach().to_type(dtype);
        var advantage = (rewards.detach().to_type(dtype) - vStar.detach().to_type(dtype));
        var residual = (policyLogProbs - reference) * beta2 - advantage;
        var loss = (residual * residual).mean();
        if (sequenceShare != 1) loss = loss * sequenceShare;

        if (entropyCoefficient > 0)
        {
            if (responseMask is null)
                throw new ArgumentException("an entropy bonus needs both tokenEntropy [B, T] and responseMask [B, T].", nameof(responseMask));
            var (rows, _) = TensorChecks.RequireMatrix(responseMask, nameof(responseMask));
            if (rows != batch)
                throw new ArgumentException($"responseMask has {rows} rows; expected {batch} (one per sequence).", nameof(responseMask));
            loss = EntropyBonus.Subtract(loss, tokenEntropy, responseMask, entropyCoefficient * tokenShare);
        }
        return loss.MoveToOuterDisposeScope();
    }
}

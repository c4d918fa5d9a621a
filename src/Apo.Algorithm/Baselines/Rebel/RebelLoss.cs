using Apo.Algorithm.TensorMath;
using TorchSharp;
using static TorchSharp.torch;

namespace Apo.Algorithm.Baselines.Rebel;

/// <summary>
/// REBEL: regress the difference of two responses' log-ratio changes onto their reward difference,
/// ( (1/η)·[(logπ_θ(y) − logπ_old(y)) − (logπ_θ(y′) − logπ_old(y′))] − (r − r′) )², mean over pairs.
/// Log-probs are sequence-level SUMS over response tokens.
/// </summary>
public static class RebelLoss
{
    /// <summary>Paper's η.</summary>
    public const double DefaultEta = 1e3;

    /// <summary>Loss over P pairs (y, y′) given as two aligned sets of [P] vectors.</summary>
    /// <param name="logProbs">[P] log π_θ(y|x), with gradient.</param>
    /// <param name="oldLogProbs">[P] log π_old(y|x) (the sampling policy).</param>
    /// <param name="rewards">[P] r(x, y).</param>
    /// <param name="pairedLogProbs">[P] log π_θ(y′|x), with gradient.</param>
    /// <param name="pairedOldLogProbs">[P] log π_old(y′|x).</param>
    /// <param name="pairedRewards">[P] r(x, y′).</param>
    /// <param name="eta">η &gt; 0.</param>
    public static Tensor Compute(Tensor logProbs, Tensor oldLogProbs, Tensor rewards,
        Tensor pairedLogProbs, Tensor pairedOldLogProbs, Tensor pairedRewards, double eta = DefaultEta)
    {
        var pairs = TensorChecks.RequireVector(logProbs, nameof(logProbs));
        TensorChecks.RequireNonEmpty(pairs, nameof(logProbs));
        TensorChecks.RequireVector(oldLogProbs, nameof(oldLogProbs), pairs);
        TensorChecks.RequireVector(rewards, nameof(rewards), pairs);
        TensorChecks.RequireVector(pairedLogProbs, nameof(pairedLogProbs), pairs);
        TensorChecks.RequireVector(pairedOldLogProbs, nameof(pairedOldLogProbs), pairs);
        TensorChecks.RequireVector(pairedRewards, nameof(pairedRewards), pairs);
        TensorChecks.RequirePositive(eta, nameof(eta));

        using var scope = NewDisposeScope();
        var dtype = logProbs.dtype;
        var change = logProbs - oldLogProbs.detach().to_type(dtype);
        var pairedChange = pairedLogProbs - pairedOldLogProbs.detach().to_type(dtype);
        var rewardGap = rewards.detach().to_type(dtype) - pairedRewards.detach().to_type(dtype);
        var residual = (change - pairedChange) / eta - rewardGap;
        return (residual * residual).mean().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The same loss for a batch of 2P responses laid out as adjacent pairs: responses 2i and 2i+1
    /// answer the same prompt (the order a generator returns two samples per prompt in).
    /// </summary>
    public static Tensor ComputeAdjacentPairs(Tensor logProbs, Tensor oldLogProbs, Tensor rewards, double eta = DefaultEta)
    {
        var count = TensorChecks.RequireVector(logProbs, nameof(logProbs));
        if (count % 2 != 0)
            throw new ArgumentException($"REBEL needs responses in pairs; got an odd count {count}.", nameof(logProbs));
        TensorChecks.RequireVector(oldLogProbs, nameof(oldLogProbs), count);
        TensorChecks.RequireVector(rewards, nameof(rewards), count);

        using var scope = NewDisposeScope();
        var lp = logProbs.view(-1, 2);
        var old = oldLogProbs.view(-1, 2);
        var r = rewards.view(-1, 2);
        return Compute(lp[.., 0], old[.., 0], r[.., 0], lp[.., 1], old[.., 1], r[.., 1], eta).MoveToOuterDisposeScope();
    }
}

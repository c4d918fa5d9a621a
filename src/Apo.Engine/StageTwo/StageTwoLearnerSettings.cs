using Apo.Algorithm;
using Apo.Algorithm.Baselines.Grpo;
using Apo.Algorithm.Baselines.Ppo;
using Apo.Algorithm.Baselines.Rebel;
using Apo.Algorithm.Optimization;
using Apo.Common.Batching;

namespace Apo.Engine.StageTwo;

/// <summary>
/// Everything that picks and configures a stage-2 learner. The optimizer (lr, weight decay, clip,
/// mini-batches) is shared by all algorithms so that a comparison changes only the objective;
/// <see cref="OptimizerSettings.EntropyCoefficient"/> is A*-PO's entropy weight, the baselines
/// carry theirs in <see cref="Grpo"/> and <see cref="Ppo"/>.
/// </summary>
public sealed record StageTwoLearnerSettings
{
    /// <summary>verl's default per-GPU token budget (<c>ppo_max_token_len_per_gpu</c>).</summary>
    public const int DefaultMaxTokensPerMicroBatch = 16384;

    public StageTwoAlgorithm Algorithm { get; init; } = StageTwoAlgorithm.AStarPo;

    /// <summary>A*-PO's β2.</summary>
    public double Beta2 { get; init; } = Apo.Algorithm.AStarPo.AStarPoLoss.DefaultBeta2;

    public OptimizerSettings Optimizer { get; init; } = OptimizerSettings.Paper;

    /// <summary>
    /// The most padded tokens (prompt + response) in one forward/backward pass: a mini-batch over it accumulates its
    /// gradient over several micro-batches (exactly one step), and reference, old-log-prob and value scoring use the
    /// same passes. <see cref="TokenBudget.Unlimited"/> (0) = a whole mini-batch at once.
    /// </summary>
    public int MaxTokensPerMicroBatch { get; init; } = DefaultMaxTokensPerMicroBatch;

    /// <summary>Recompute each decoder layer in backward instead of keeping its activations (policy and PPO critic).</summary>
    public bool ActivationCheckpointing { get; init; }

    public GrpoSettings Grpo { get; init; } = new();

    /// <summary>REBEL's η (paper 1e3).</summary>
    public double RebelEta { get; init; } = RebelLoss.DefaultEta;

    public PpoSettings Ppo { get; init; } = new();

    /// <summary>Throws ArgumentOutOfRangeException naming the first setting out of range.</summary>
    public void Validate()
    {
        if (!(Beta2 > 0) || !double.IsFinite(Beta2))
            throw new ArgumentOutOfRangeException(nameof(Beta2), Beta2, "β2 must be a positive finite number.");
        ArgumentNullException.ThrowIfNull(Optimizer, nameof(Optimizer));
        Optimizer.Validate();
        if (MaxTokensPerMicroBatch < 0)
            throw new ArgumentOutOfRangeException(nameof(MaxTokensPerMicroBatch), MaxTokensPerMicroBatch, "must be ≥ 0 (0 = a whole mini-batch at once).");
    }
}

using Apo.Algorithm;
using Apo.Algorithm.Baselines.Grpo;
using Apo.Algorithm.Baselines.Ppo;
using Apo.Algorithm.Baselines.Rebel;
using Apo.Algorithm.Optimization;

namespace Apo.Engine.StageTwo;

/// <summary>
/// Everything that picks and configures a stage-2 learner. The optimizer (lr, weight decay, clip,
/// mini-batches) is shared by all algorithms so that a comparison changes only the objective;
/// <see cref="OptimizerSettings.EntropyCoefficient"/> is A*-PO's entropy weight, the baselines
/// carry theirs in <see cref="Grpo"/> and <see cref="Ppo"/>.
/// </summary>
public sealed record StageTwoLearnerSettings
{
    public StageTwoAlgorithm Algorithm { get; init; } = StageTwoAlgorithm.AStarPo;

    /// <summary>A*-PO's β2.</summary>
    public double Beta2 { get; init; } = Apo.Algorithm.AStarPo.AStarPoLoss.DefaultBeta2;

    public OptimizerSettings Optimizer { get; init; } = OptimizerSettings.Paper;

    /// <summary>Largest number of sequences per forward/backward pass (0 = a whole mini-batch at once).</summary>
    public int MicroBatchSize { get; init; }

    /// <summary>Sequences per gradient-free forward pass (reference, old log-probs, old values).</summary>
    public int ScoringBatchSize { get; init; } = 64;

    public GrpoSettings Grpo { get; init; } = new();

    /// <summary>REBEL's η (paper 1e3).</summary>
    public double RebelEta { get; init; } = RebelLoss.DefaultEta;

    public PpoSettings Ppo { get; init; } = new();

    /// <summary>The A*-PO part of these settings.</summary>
    public AStarPoSettings ToAStarPoSettings() => new()
    {
        Beta2 = Beta2,
        Optimizer = Optimizer,
        MicroBatchSize = MicroBatchSize,
        ScoringBatchSize = ScoringBatchSize,
    };
}

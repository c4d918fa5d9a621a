using Apo.Algorithm.Optimization;

namespace Apo.Engine.StageTwo;

/// <summary>
/// Stage-2 settings of A*-PO: the regression scale β2 and the optimiser (learning rate, weight
/// decay, gradient clip, mini-batches per batch, entropy coefficient). Paper defaults for real
/// checkpoints: β2 = 1e-3 with <see cref="OptimizerSettings.Paper"/>; the tiny embedded model
/// needs far larger values (see the embedded preset).
/// </summary>
public sealed record AStarPoSettings
{
    /// <summary>β2 &gt; 0: the scale of the log-ratio regressed onto r − V̂*.</summary>
    public double Beta2 { get; init; } = Apo.Algorithm.AStarPo.AStarPoLoss.DefaultBeta2;

    /// <summary>AdamW, clipping, mini-batches per batch and the entropy coefficient.</summary>
    public OptimizerSettings Optimizer { get; init; } = OptimizerSettings.Paper;

    /// <summary>
    /// Largest number of sequences in one forward/backward pass; a larger mini-batch accumulates
    /// gradients over several passes (same step, less memory). 0 means the whole mini-batch at once.
    /// </summary>
    public int MicroBatchSize { get; init; }

    /// <summary>Sequences per gradient-free forward pass when scoring the reference.</summary>
    public int ScoringBatchSize { get; init; } = 64;

    /// <summary>Throws ArgumentOutOfRangeException naming the first setting out of range.</summary>
    public void Validate()
    {
        if (!(Beta2 > 0) || !double.IsFinite(Beta2))
            throw new ArgumentOutOfRangeException(nameof(Beta2), Beta2, "β2 must be a positive finite number.");
        ArgumentNullException.ThrowIfNull(Optimizer, nameof(Optimizer));
        Optimizer.Validate();
        if (MicroBatchSize < 0) throw new ArgumentOutOfRangeException(nameof(MicroBatchSize), MicroBatchSize, "must be ≥ 0 (0 = whole mini-batch).");
        if (ScoringBatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(ScoringBatchSize), ScoringBatchSize, "must be positive.");
    }
}

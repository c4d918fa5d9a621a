namespace Apo.Engine.Sft;

/// <summary>
/// Supervised warm-up: <see cref="Steps"/> AdamW steps on mini-batches of <see cref="BatchSize"/>
/// examples drawn without replacement from a seeded shuffle (reshuffled every epoch), constant
/// learning rate, decoupled weight decay and total-norm gradient clipping.
/// </summary>
public sealed record SupervisedSettings
{
    public int Steps { get; init; } = 300;
    public int BatchSize { get; init; } = 32;
    public double LearningRate { get; init; } = 3e-3;
    public double WeightDecay { get; init; } = 0.01;
    public double ClipGradNorm { get; init; } = 1.0;
    /// <summary>Seed of the example order; the same seed, data and initial weights give the same model.</summary>
    public long Seed { get; init; } = 1;
    /// <summary>Most padded tokens in one forward/backward; a larger mini-batch accumulates its step over several (0 = unlimited).</summary>
    public int MaxTokensPerMicroBatch { get; init; } = 16384;

    /// <summary>Throws ArgumentOutOfRangeException naming the first setting out of range.</summary>
    public void Validate()
    {
        if (Steps < 0) throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "must be ≥ 0");
        if (BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "must be positive");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "must be a positive finite number");
        if (!(WeightDecay >= 0) || !double.IsFinite(WeightDecay)) throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "must be ≥ 0");
        if (!(ClipGradNorm > 0)) throw new ArgumentOutOfRangeException(nameof(ClipGradNorm), ClipGradNorm, "must be > 0 (+∞ switches clipping off)");
        if (MaxTokensPerMicroBatch < 0) throw new ArgumentOutOfRangeException(nameof(MaxTokensPerMicroBatch), MaxTokensPerMicroBatch, "must be ≥ 0 (0 = unlimited)");
    }
}

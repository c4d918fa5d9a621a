using Apo.Algorithm.Optimization;
using Apo.Engine.StageTwo;
using Apo.Model.Inference;

namespace Apo.Engine.Presets;

/// <summary>Stage 2: on-policy batches, one response per prompt, A*-PO least squares.</summary>
public sealed record StageTwoPreset
{
    /// <summary>β2; far above the paper's 1e-3 because a tiny model's log-ratios are small and its steps few.</summary>
    public double Beta2 { get; init; } = 0.05;
    public double LearningRate { get; init; } = 3e-4;
    public double WeightDecay { get; init; } = 0.01;
    public double ClipGradNorm { get; init; } = 1.0;
    /// <summary>Entropy bonus weight (0 = the paper's objective; the authors' code used 0.001).</summary>
    public double EntropyCoefficient { get; init; }
    public int PromptsPerBatch { get; init; } = 64;
    /// <summary>Optimizer steps per batch (paper: 2).</summary>
    public int MiniBatches { get; init; } = 2;
    public int Iterations { get; init; } = 20;
    /// <summary>Checkpoint every K iterations (and at the end).</summary>
    public int CheckpointEvery { get; init; } = 10;
    public double Temperature { get; init; } = 1.0;
    public double TopP { get; init; } = 1.0;
    public int MaxNewTokens { get; init; } = 48;

    public SamplingOptions ToSamplingOptions() => new() { Temperature = Temperature, TopP = TopP, MaxNewTokens = MaxNewTokens };

    public AStarPoSettings ToAStarPoSettings() => new()
    {
        Beta2 = Beta2,
        Optimizer = new OptimizerSettings(LearningRate, WeightDecay: WeightDecay, ClipGradNorm: ClipGradNorm,
            MiniBatches: MiniBatches, EntropyCoefficient: EntropyCoefficient),
    };
}

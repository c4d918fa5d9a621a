using Apo.Algorithm.Optimization;
using Apo.Engine.StageTwo;
using Apo.Model.Inference;

namespace Apo.Engine.Presets;

/// <summary>
/// Stage 2: on-policy batches and the learner — A*-PO (one response per prompt, least squares onto
/// r − V̂*) by default, or one of the paper's baselines on the same data, model and optimizer.
/// </summary>
public sealed record StageTwoPreset
{
    /// <summary>"astar-po" (or "apo"), "grpo", "rebel" or "ppo".</summary>
    public string Algorithm { get; init; } = "astar-po";
    /// <summary>β2; far above the paper's 1e-3 because a tiny model's log-ratios are small and its steps few.</summary>
    public double Beta2 { get; init; } = 0.05;
    public double LearningRate { get; init; } = 3e-4;
    public double WeightDecay { get; init; } = 0.01;
    public double ClipGradNorm { get; init; } = 1.0;
    /// <summary>Entropy bonus weight (0 = the paper's objective; the authors' code used 0.001).</summary>
    public double EntropyCoefficient { get; init; }
    /// <summary>Entropy bonus weight of GRPO and PPO (paper 1e-4).</summary>
    public double BaselineEntropyCoefficient { get; init; } = 1e-4;
    /// <summary>GRPO's k3 KL-loss weight and PPO's KL-in-reward weight (paper 1e-3).</summary>
    public double KlCoefficient { get; init; } = 1e-3;
    /// <summary>Ratio clip ε of GRPO and PPO (paper 0.2).</summary>
    public double ClipEpsilon { get; init; } = 0.2;
    /// <summary>
    /// REBEL's η. The paper pairs η = 1e3 with A*-PO's β2 = 1e-3: both scale a log-ratio onto a reward
    /// gap, so the presets keep η = 1/β2 for a like-for-like comparison at their larger β2.
    /// </summary>
    public double RebelEta { get; init; } = 20;
    /// <summary>PPO critic lr = this × the policy's (paper 10).</summary>
    public double CriticLearningRateMultiplier { get; init; } = 10;
    public int PromptsPerBatch { get; init; } = 64;
    /// <summary>Optimizer steps per batch (paper: 2).</summary>
    public int MiniBatches { get; init; } = 2;
    public int Iterations { get; init; } = 20;
    /// <summary>Checkpoint every K iterations (and at the end).</summary>
    public int CheckpointEvery { get; init; } = 10;
    public double Temperature { get; init; } = 1.0;
    public double TopP { get; init; } = 1.0;
    public int MaxNewTokens { get; init; } = 48;
    /// <summary>Token budget of one forward/backward or scoring pass (0 = a whole mini-batch at once); the tiny batches fit in one.</summary>
    public int MaxTokensPerMicroBatch { get; init; } = StageTwoLearnerSettings.DefaultMaxTokensPerMicroBatch;
    /// <summary>Per-layer activation checkpointing; off, since the tiny models' activations are small and recomputing costs time.</summary>
    public bool ActivationCheckpointing { get; init; }
    /// <summary>
    /// Asynchronous stage 2: batch t is sampled with weight version max(0, t − k), so sampling the next batch overlaps
    /// the update on this one (0 = synchronous). A*-PO only.
    /// </summary>
    public int MaxStaleness { get; init; }

    public SamplingOptions ToSamplingOptions() => new() { Temperature = Temperature, TopP = TopP, MaxNewTokens = MaxNewTokens };

    /// <summary>The A*-PO learner's view of these knobs (what <see cref="EmbeddedPreset.Validate"/> checks).</summary>
    public StageTwoLearnerSettings ToLearnerSettings() => new()
    {
        Beta2 = Beta2,
        Optimizer = new OptimizerSettings(LearningRate, WeightDecay: WeightDecay, ClipGradNorm: ClipGradNorm,
            MiniBatches: MiniBatches, EntropyCoefficient: EntropyCoefficient),
        MaxTokensPerMicroBatch = MaxTokensPerMicroBatch,
        ActivationCheckpointing = ActivationCheckpointing,
    };
}

using Apo.Abstractions.StageOne;

namespace Apo.Abstractions.Training;

/// <summary>Hyper-parameters of stage 2 (A*-PO or a baseline).</summary>
/// <param name="Algorithm">"astar-po", "grpo", "rebel" or "ppo".</param>
/// <param name="Beta2">β2 of the A*-PO least squares.</param>
/// <param name="LearningRate">Constant AdamW learning rate.</param>
/// <param name="WeightDecay">AdamW weight decay (paper 0.01).</param>
/// <param name="GradientClipNorm">Total gradient-norm clip (paper 1.0).</param>
/// <param name="PromptsPerBatch">Prompts per iteration (paper 256).</param>
/// <param name="MiniBatchesPerBatch">Optimizer steps per iteration (paper 2).</param>
/// <param name="Iterations">Number of iterations to run.</param>
/// <param name="Sampling">How stage-2 responses are sampled.</param>
/// <param name="CheckpointEvery">Checkpoint every K iterations.</param>
/// <param name="EntropyCoefficient">Coefficient of the token-mean entropy bonus: A*-PO 0 by default (the authors' code used 0.001); the baselines 1e-4 (paper).</param>
/// <param name="Seed">Seed of the batch shuffle and the stage-2 sampling.</param>
[GenerateSerializer, Immutable, Alias("apo.StageTwoSettings")]
public sealed record StageTwoSettings(
    [property: Id(0)] string Algorithm,
    [property: Id(1)] double Beta2,
    [property: Id(2)] double LearningRate,
    [property: Id(3)] double WeightDecay,
    [property: Id(4)] double GradientClipNorm,
    [property: Id(5)] int PromptsPerBatch,
    [property: Id(6)] int MiniBatchesPerBatch,
    [property: Id(7)] int Iterations,
    [property: Id(8)] SamplingSettings Sampling,
    [property: Id(9)] int CheckpointEvery,
    [property: Id(10)] double EntropyCoefficient,
    [property: Id(11)] long Seed)
{
    /// <summary>
    /// KL weight of the baselines: GRPO's k3 KL loss to π_ref, PPO's per-token KL-in-reward (paper 1e-3).
    /// A*-PO has no KL term: β2 plays that role.
    /// </summary>
    [Id(12)] public double KlCoefficient { get; init; } = 1e-3;

    /// <summary>Ratio clip ε of GRPO and PPO (paper 0.2).</summary>
    [Id(13)] public double ClipEpsilon { get; init; } = 0.2;

    /// <summary>REBEL's η (paper 1e3).</summary>
    [Id(14)] public double RebelEta { get; init; } = 1e3;

    /// <summary>PPO critic learning rate = this × <see cref="LearningRate"/> (paper 10).</summary>
    [Id(15)] public double CriticLearningRateMultiplier { get; init; } = 10;

    /// <summary>
    /// The most padded tokens (prompt + response) in one forward/backward or scoring pass; larger mini-batches
    /// accumulate gradients over several (verl's per-GPU token budget, default 16384). 0 = a whole mini-batch at once.
    /// </summary>
    [Id(16)] public int MaxTokensPerMicroBatch { get; init; } = 16384;

    /// <summary>Recompute each decoder layer in backward instead of keeping its activations.</summary>
    [Id(17)] public bool ActivationCheckpointing { get; init; }

    /// <summary>
    /// Prompts per rollout chunk: a step's batch goes to the generators as chunks of this many prompts, each
    /// pulled by whichever generator is free and sampled as one continuous batch. 0 = as many as fill the
    /// engine's slots (one chunk per step on a small batch). With G generators, about batch ÷ (4G) balances
    /// them; the chunking is part of the run, so it never depends on how many generators are live.
    /// </summary>
    [Id(18)] public int PromptsPerChunk { get; init; }

    /// <summary>
    /// Bounded staleness k of asynchronous stage 2: batch t is sampled with weight version max(0, t − k), so the
    /// generators sample batches t+1..t+k while the trainer updates on batch t. 0 = synchronous (each batch
    /// sampled by the weights it trains). Only A*-PO: its target r − V̂* does not depend on the sampling policy.
    /// </summary>
    [Id(19)] public int MaxStaleness { get; init; }
}

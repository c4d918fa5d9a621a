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
/// <param name="EntropyCoefficient">Coefficient of the token-mean entropy bonus; 0 by default (the authors' code used 0.001).</param>
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
    [property: Id(11)] long Seed);

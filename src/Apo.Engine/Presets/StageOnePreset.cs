using Apo.Model.Inference;

namespace Apo.Engine.Presets;

/// <summary>Stage 1: N reference samples per training prompt and the β1 that turns their rewards into V̂*.</summary>
public sealed record StageOnePreset
{
    /// <summary>Training prompts that get V̂* (stage 2 draws its batches from these).</summary>
    public int Prompts { get; init; } = 512;
    /// <summary>N, samples per prompt (paper: 8).</summary>
    public int Samples { get; init; } = 8;
    /// <summary>β1 of V̂* = β1·log mean exp(r/β1) (paper: 0.5).</summary>
    public double Beta1 { get; init; } = 0.5;
    public double Temperature { get; init; } = 1.0;
    public double TopP { get; init; } = 1.0;
    public int MaxNewTokens { get; init; } = 48;
    /// <summary>
    /// Drop prompts whose N samples all scored 0 (pass@N = 0) before stage 2, which then takes as many passes over
    /// the kept prompts as it would have over all: fewer iterations, in proportion (the paper's filtering).
    /// </summary>
    public bool DropAllZeroPrompts { get; init; }

    public SamplingOptions ToSamplingOptions() => new() { Temperature = Temperature, TopP = TopP, MaxNewTokens = MaxNewTokens };
}

using Apo.Engine.Evaluation;

namespace Apo.Engine.Presets;

/// <summary>Held-out evaluation of the reference and the trained policy.</summary>
public sealed record EvaluationPreset
{
    /// <summary>Test prompts evaluated (the first ones of the test split).</summary>
    public int HeldOutPrompts { get; init; } = 200;
    public int K { get; init; } = 4;
    public double Temperature { get; init; } = 1.0;
    public double TopP { get; init; } = 1.0;
    public int MaxNewTokens { get; init; } = 48;

    public EvaluationSettings ToEvaluationSettings(long seed, int batchSize) => new()
    {
        K = K, Temperature = Temperature, TopP = TopP, MaxNewTokens = MaxNewTokens, Seed = seed, BatchSize = batchSize,
    };
}

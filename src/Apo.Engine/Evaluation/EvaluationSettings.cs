namespace Apo.Engine.Evaluation;

/// <summary>
/// How a policy is evaluated: greedy accuracy, plus <see cref="K"/> samples per prompt at
/// <see cref="Temperature"/>/<see cref="TopP"/> for avg@k and pass@k. The paper's competition
/// setting is temperature 0.6, top-p 0.95; our default is 1.0 (the sampling the policy is trained at).
/// </summary>
public sealed record EvaluationSettings
{
    public int K { get; init; } = 4;
    public double Temperature { get; init; } = 1.0;
    public double TopP { get; init; } = 1.0;
    public int MaxNewTokens { get; init; } = 256;
    public long Seed { get; init; }
    public int BatchSize { get; init; } = 32;
    /// <summary>Most padded tokens in one scoring pass of the reference (for KL).</summary>
    public int MaxTokensPerMicroBatch { get; init; } = 16384;

    public void Validate()
    {
        if (K <= 0) throw new ArgumentOutOfRangeException(nameof(K), K, "must be positive");
        if (BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "must be positive");
        if (MaxTokensPerMicroBatch < 0) throw new ArgumentOutOfRangeException(nameof(MaxTokensPerMicroBatch), MaxTokensPerMicroBatch, "must be ≥ 0 (0 = unlimited)");
    }
}

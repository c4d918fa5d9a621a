namespace Apo.Engine.StageTwo;

/// <summary>What one stage-2 batch update measured (means over the batch's sequences).</summary>
/// <param name="KlPerSequence">Mean of Σ_t (log π − log π_ref) over the batch's responses, before the update.</param>
public sealed record UpdateMetrics(
    double Loss,
    double MeanReward,
    double MeanVStar,
    double KlPerSequence,
    double MeanResponseLength,
    double GradientNorm,
    int OptimizerSteps);

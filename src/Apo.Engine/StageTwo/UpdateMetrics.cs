namespace Apo.Engine.StageTwo;

/// <summary>What one stage-2 batch update measured (means over the batch's sequences).</summary>
/// <param name="Loss">Mean A*-PO loss, each mini-batch measured just before its own optimizer step.</param>
/// <param name="KlPerSequence">
/// Mean of Σ_t (log π − log π_ref) over the batch's responses, each mini-batch measured just before
/// its own optimizer step (so the first is exactly before the update, later ones after the earlier steps).
/// </param>
/// <param name="GradientNorm">Mean over the optimizer steps of the total gradient norm before clipping.</param>
/// <param name="OptimizerSteps">Optimizer steps taken so far by this updater (restored ones included).</param>
public sealed record UpdateMetrics(
    double Loss,
    double MeanReward,
    double MeanVStar,
    double KlPerSequence,
    double MeanResponseLength,
    double GradientNorm,
    int OptimizerSteps);

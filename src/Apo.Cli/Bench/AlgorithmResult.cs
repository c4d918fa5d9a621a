using System.Text.Json.Serialization;

namespace Apo.Cli.Bench;

/// <summary>One algorithm's line of bench.json (the first six fields are the schema).</summary>
/// <param name="Seconds">Wall time of training: stage 1 (A*-PO only) + stage 2; the shared reference and the evaluation are left out.</param>
/// <param name="PeakRssMegabytes">Peak resident memory of the child process during stages 1–2.</param>
/// <param name="PeakTensorMegabytes">Peak native-heap growth during stages 1–2 (CPU tensors); null where it cannot be measured.</param>
/// <param name="Kl">KL(π ‖ π_ref) per sequence on held-out prompts.</param>
public sealed record AlgorithmResult(
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("peak_rss_mb")] double PeakRssMegabytes,
    [property: JsonPropertyName("peak_tensor_mb")] double? PeakTensorMegabytes,
    [property: JsonPropertyName("kl")] double Kl,
    [property: JsonPropertyName("greedy_accuracy")] double GreedyAccuracy,
    [property: JsonPropertyName("avg_at_k")] double AverageAtK,
    [property: JsonPropertyName("stage1_seconds")] double StageOneSeconds,
    [property: JsonPropertyName("stage2_seconds")] double StageTwoSeconds,
    [property: JsonPropertyName("process_seconds")] double ProcessSeconds,
    [property: JsonPropertyName("process_peak_rss_mb")] double? ProcessPeakRssMegabytes,
    [property: JsonPropertyName("kl_per_token")] double KlPerToken,
    [property: JsonPropertyName("reference_greedy_accuracy")] double ReferenceGreedyAccuracy,
    [property: JsonPropertyName("reference_avg_at_k")] double ReferenceAverageAtK,
    [property: JsonPropertyName("k")] int K);

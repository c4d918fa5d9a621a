using System.Text.Json.Serialization;
using Apo.Cli.Runs;
using Apo.Grains.Training;

namespace Apo.Cli.Ablation;

/// <summary>
/// One ablation run's figures. The stage-2 loss and reward are means over the last tenth of the steps (at
/// least one): one step's value is one batch's noise.
/// </summary>
public sealed record AblationResult(
    [property: JsonPropertyName("final_loss")] double FinalLoss,
    [property: JsonPropertyName("final_reward")] double FinalReward,
    [property: JsonPropertyName("greedy_accuracy")] double GreedyAccuracy,
    [property: JsonPropertyName("avg_at_k")] double AverageAtK,
    [property: JsonPropertyName("kl")] double Kl,
    [property: JsonPropertyName("stage1_seconds")] double StageOneSeconds,
    [property: JsonPropertyName("stage2_seconds")] double StageTwoSeconds,
    [property: JsonPropertyName("prompts_dropped")] int PromptsDropped,
    [property: JsonPropertyName("iterations")] int Iterations)
{
    [JsonPropertyName("seconds")]
    public double Seconds => StageOneSeconds + StageTwoSeconds;

    public static AblationResult Read(RunLayout run)
    {
        var summary = RunSummary.Load(run.SummaryJson);
        var steps = new MetricsLog(run.Metrics).ReadMetrics();
        if (steps.Count == 0) throw new InvalidDataException($"{run.Metrics}: no stage-2 steps");
        var tail = steps.Skip(steps.Count - Math.Max(1, steps.Count / 10)).ToList();
        return new AblationResult(tail.Average(m => m.Loss), tail.Average(m => m.MeanReward), summary.Trained.GreedyAccuracy, summary.Trained.AvgAtK,
            summary.Kl, summary.Seconds.StageOne, summary.Seconds.StageTwo, summary.StageOne.PromptsDropped, steps.Count);
    }

    /// <summary>The figures the report spreads over seeds, by their JSON names.</summary>
    public static IReadOnlyList<(string Name, string Title, Func<AblationResult, double> Of)> Figures { get; } =
    [
        ("final_loss", "Final stage-2 loss", r => r.FinalLoss),
        ("final_reward", "Final training reward", r => r.FinalReward),
        ("greedy_accuracy", "Held-out greedy accuracy", r => r.GreedyAccuracy),
        ("avg_at_k", "Held-out avg@k", r => r.AverageAtK),
        ("kl", "KL(π ‖ π_ref) per sequence", r => r.Kl),
        ("seconds", "Training time (stage 1 + 2), s", r => r.Seconds),
        ("prompts_dropped", "Prompts dropped", r => r.PromptsDropped),
        // Steps do not depend on the machine's load, as seconds do: what filtering saves, counted exactly.
        ("iterations", "Stage-2 steps", r => r.Iterations),
    ];
}

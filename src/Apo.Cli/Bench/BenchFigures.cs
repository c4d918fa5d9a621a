namespace Apo.Cli.Bench;

/// <summary>The figures a bench compares across algorithms and seeds, by their bench.json names.</summary>
public static class BenchFigures
{
    public static IReadOnlyList<(string Name, string Title, Func<AlgorithmResult, double> Of)> All { get; } =
    [
        ("seconds", "Training time (stage 1 + stage 2), s", r => r.Seconds),
        ("stage2_seconds", "Stage-2 time, s", r => r.StageTwoSeconds),
        ("peak_rss_mb", "Peak resident memory while training, MB", r => r.PeakRssMegabytes),
        ("kl", "KL(π ‖ π_ref) per sequence, held out", r => r.Kl),
        ("greedy_accuracy", "Held-out greedy accuracy", r => r.GreedyAccuracy),
        ("avg_at_k", "Held-out avg@k", r => r.AverageAtK),
    ];
}

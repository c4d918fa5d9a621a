namespace Apo.Cli.Bench;

/// <summary>PNG bar charts of a bench (ScottPlot): one chart per figure, one bar per algorithm.</summary>
public static class BenchCharts
{
    public static IReadOnlyList<string> Write(string directory, BenchReport report)
    {
        Directory.CreateDirectory(directory);
        var keys = BenchReport.Keys.Where(report.Algorithms.ContainsKey).ToArray();
        var results = keys.Select(k => report.Algorithms[k]).ToArray();
        return
        [
            Bars(directory, "seconds.png", "Training time (stage 1 + stage 2)", "seconds", keys, results.Select(r => r.Seconds)),
            Bars(directory, "peak_rss.png", "Peak resident memory while training", "MB", keys, results.Select(r => r.PeakRssMegabytes)),
            Bars(directory, "peak_tensor.png", "Peak tensor memory (native heap growth)", "MB", keys, results.Select(r => r.PeakTensorMegabytes ?? 0)),
            Bars(directory, "kl.png", "KL(π ‖ π_ref) per sequence, held out", "nats", keys, results.Select(r => r.Kl)),
            Bars(directory, "avg_at_k.png", "Held-out avg@k", "accuracy", keys, results.Select(r => r.AverageAtK)),
        ];
    }

    static string Bars(string directory, string file, string title, string yLabel, string[] labels, IEnumerable<double> values)
    {
        var plot = new ScottPlot.Plot();
        var heights = values.Select(v => double.IsFinite(v) ? v : 0).ToArray();
        plot.Add.Bars(heights);
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, labels.Length).Select(i => (double)i).ToArray(), labels);
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.YLabel(yLabel);
        string path = Path.Combine(directory, file);
        string temp = Path.Combine(directory, $".{file}.{Guid.NewGuid():N}.png");
        plot.SavePng(temp, 640, 400);
        File.Move(temp, path, overwrite: true);
        return path;
    }
}

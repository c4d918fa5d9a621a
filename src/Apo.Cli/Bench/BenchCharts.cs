namespace Apo.Cli.Bench;

/// <summary>
/// PNG charts of a bench (ScottPlot): one chart per figure, one bar per algorithm; over several seeds the bar is
/// the mean, the error bar one standard deviation, and every seed's value a point; the paired_*.png charts show A*-PO minus each
/// row, seed by seed, with the 95% interval of the mean.
/// </summary>
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

    public static IReadOnlyList<string> WriteSpread(string directory, MultiSeedBenchReport report)
    {
        Directory.CreateDirectory(directory);
        var keys = report.Algorithms.Keys.ToArray();
        var absolute = BenchFigures.All.Select(f => Bars(directory, $"{f.Name}.png", $"{f.Title} ({report.Seeds.Count} seeds)", "", keys,
            keys.Select(k => report.Algorithms[k][f.Name].Mean), keys.Select(k => report.Algorithms[k][f.Name])));
        // The seeds' references differ more than the algorithms do: the paired differences are the comparison to look at.
        var others = report.PairedDifferences.Keys.ToArray();
        var paired = BenchFigures.All.Select(f => Bars(directory, $"paired_{f.Name}.png", $"A*-PO minus each row: {f.Name} (95% interval)", "",
            others, others.Select(k => report.PairedDifferences[k][f.Name].Mean), others.Select(k => report.PairedDifferences[k][f.Name]), interval: true));
        return [.. absolute, .. paired];
    }

    /// <param name="interval">Error bars: the 95% interval of the mean rather than one standard deviation.</param>
    static string Bars(string directory, string file, string title, string yLabel, string[] labels, IEnumerable<double> values, IEnumerable<Spread>? spreads = null,
        bool interval = false)
    {
        var plot = new ScottPlot.Plot();
        var heights = values.Select(Runs.PlotFile.Finite).ToArray();
        plot.Add.Bars(heights);
        if (spreads?.ToArray() is { } each)
        {
            var xs = Enumerable.Range(0, each.Length).Select(i => (double)i).ToArray();
            plot.Add.ErrorBar(xs, heights, [.. each.Select(s => Runs.PlotFile.Finite(interval ? s.High - s.Mean : s.StandardDeviation))]);
            // Every seed's value, spread a little sideways so equal values stay visible.
            var points = each.SelectMany((s, i) => s.Values.Select((v, j) => (X: i - 0.15 + 0.3 * j / Math.Max(1, s.Values.Count - 1), Y: Runs.PlotFile.Finite(v)))).ToArray();
            var scatter = plot.Add.ScatterPoints(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray());
            scatter.Color = ScottPlot.Colors.Black;
        }
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, labels.Length).Select(i => (double)i).ToArray(), labels);
        if (heights.All(h => h >= 0)) plot.Axes.Margins(bottom: 0); // bars stand on the axis; differences may go below it
        plot.Title(title);
        plot.YLabel(yLabel);
        return Runs.PlotFile.Save(plot, directory, file, 640, 400);
    }
}

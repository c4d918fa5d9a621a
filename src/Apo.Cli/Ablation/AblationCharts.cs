using Apo.Cli.Bench;

namespace Apo.Cli.Ablation;

/// <summary>The paper's three panels per knob (ScottPlot): final loss, final reward and held-out accuracy against the knob's settings,
/// the mean over seeds with one standard deviation, and every seed's value as a point.</summary>
public static class AblationCharts
{
    static readonly (string Figure, string Title)[] Panels =
        [("final_loss", "Final stage-2 loss"), ("final_reward", "Final training reward"), ("greedy_accuracy", "Held-out greedy accuracy")];

    public static IReadOnlyList<string> Write(string directory, AblationReport report)
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        foreach (var (knob, points) in report.Knobs)
            foreach (var (figure, title) in Panels)
                written.Add(Panel(directory, $"{knob}-{figure}.png", $"{title} against {knob} ({report.Seeds.Count} seeds)", points, figure));
        return written;
    }

    static string Panel(string directory, string file, string title, IReadOnlyList<AblationReport.Point> points, string figure)
    {
        var plot = new ScottPlot.Plot();
        var xs = Enumerable.Range(0, points.Count).Select(i => (double)i).ToArray();
        var spreads = points.Select(p => p.Figures[figure]).ToArray();
        var means = spreads.Select(s => Runs.PlotFile.Finite(s.Mean)).ToArray();
        plot.Add.Scatter(xs, means);
        plot.Add.ErrorBar(xs, means, [.. spreads.Select(s => Runs.PlotFile.Finite(s.StandardDeviation))]);
        var seeds = spreads.SelectMany((s, i) => s.Values.Select(v => (X: (double)i, Y: Runs.PlotFile.Finite(v)))).ToArray();
        var dots = plot.Add.ScatterPoints(seeds.Select(p => p.X).ToArray(), seeds.Select(p => p.Y).ToArray());
        dots.Color = ScottPlot.Colors.Black.WithAlpha(0.5);
        plot.Axes.Bottom.SetTicks(xs, [.. points.Select(p => p.Label)]);
        plot.Title(title);
        return Runs.PlotFile.Save(plot, directory, file, 640, 400);
    }
}

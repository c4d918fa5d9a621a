using Apo.Grains.Training;

namespace Apo.Cli.Runs;

/// <summary>
/// PNG charts of a run's training curves (ScottPlot): reward, KL and held-out accuracy against step, and the
/// pipeline's waits (how long the trainer waited for rollouts and the generators for weights) with each batch's staleness.
/// </summary>
public static class MetricsPlots
{
    /// <param name="heldOutAccuracy">Held-out greedy accuracy at the steps where it was measured.</param>
    public static IReadOnlyList<string> Write(string directory, IReadOnlyList<IterationMetrics> steps,
        IReadOnlyList<(long Step, double Accuracy)> heldOutAccuracy)
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        if (steps.Count == 0) return written;
        double[] x = steps.Select(s => (double)s.Step).ToArray();
        written.Add(Line(directory, "reward.png", "Mean reward of on-policy samples", "mean reward", x, steps.Select(s => s.MeanReward).ToArray()));
        written.Add(Line(directory, "kl.png", "KL(π ‖ π_ref) per sequence", "KL (nats)", x, steps.Select(s => s.KlPerSequence).ToArray()));
        if (heldOutAccuracy.Count > 0)
            written.Add(Line(directory, "heldout_accuracy.png", "Held-out greedy accuracy", "accuracy",
                heldOutAccuracy.Select(p => (double)p.Step).ToArray(), heldOutAccuracy.Select(p => p.Accuracy).ToArray()));
        written.Add(Pipeline(directory, x, steps));
        return written;
    }

    /// <summary>pipeline.png: the two waits per step (seconds, left axis) and the batch's staleness (versions, right axis).</summary>
    static string Pipeline(string directory, double[] x, IReadOnlyList<IterationMetrics> steps)
    {
        var plot = new ScottPlot.Plot();
        var rollouts = plot.Add.Scatter(x, steps.Select(s => Finite(s.RolloutWaitSeconds)).ToArray());
        rollouts.LegendText = "trainer waited for rollouts (s)";
        var weights = plot.Add.Scatter(x, steps.Select(s => Finite(s.WeightWaitSeconds)).ToArray());
        weights.LegendText = "generators waited for weights (s)";
        var staleness = plot.Add.Scatter(x, steps.Select(s => (double)s.Staleness).ToArray());
        staleness.LegendText = "staleness (versions, right axis)";
        staleness.Axes.YAxis = plot.Axes.Right;
        plot.Axes.Right.Label.Text = "staleness (versions)";
        plot.ShowLegend();
        return Save(plot, directory, "pipeline.png", "Stage-2 pipeline: waits and staleness per step", "seconds");
    }

    static double Finite(double value) => double.IsFinite(value) ? value : 0;

    static string Line(string directory, string file, string title, string yLabel, double[] x, double[] y)
    {
        var plot = new ScottPlot.Plot();
        plot.Add.Scatter(x, y);
        return Save(plot, directory, file, title, yLabel);
    }

    static string Save(ScottPlot.Plot plot, string directory, string file, string title, string yLabel)
    {
        plot.Title(title);
        plot.XLabel("step");
        plot.YLabel(yLabel);
        return PlotFile.Save(plot, directory, file, 800, 450);
    }
}

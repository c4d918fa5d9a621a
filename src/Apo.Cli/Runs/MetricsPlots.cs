using Apo.Grains.Training;

namespace Apo.Cli.Runs;

/// <summary>PNG charts of a run's training curves (ScottPlot): reward, KL and held-out accuracy against step.</summary>
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
        return written;
    }

    static string Line(string directory, string file, string title, string yLabel, double[] x, double[] y)
    {
        var plot = new ScottPlot.Plot();
        plot.Add.Scatter(x, y);
        plot.Title(title);
        plot.XLabel("step");
        plot.YLabel(yLabel);
        string path = Path.Combine(directory, file);
        // Render beside the target and rename, like every other file the run writes.
        string temp = Path.Combine(directory, $".{file}.{Guid.NewGuid():N}.png");
        plot.SavePng(temp, 800, 450);
        File.Move(temp, path, overwrite: true);
        return path;
    }
}

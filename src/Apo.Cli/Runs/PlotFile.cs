namespace Apo.Cli.Runs;

/// <summary>Every chart the CLI draws is saved here: rendered beside its target and renamed, like every other file a run writes.</summary>
static class PlotFile
{
    public static string Save(ScottPlot.Plot plot, string directory, string file, int width, int height)
    {
        string path = Path.Combine(directory, file);
        string temp = Path.Combine(directory, $".{file}.{Guid.NewGuid():N}.png");
        plot.SavePng(temp, width, height);
        File.Move(temp, path, overwrite: true);
        return path;
    }

    /// <summary>A value a chart can draw: a non-finite figure (a diverged KL, a missing measurement) is drawn as 0.</summary>
    public static double Finite(double v) => double.IsFinite(v) ? v : 0;
}

using System.Globalization;
using System.Runtime.InteropServices;
using Apo.Algorithm;
using Apo.Cli.Runs;
using Apo.Engine.Presets;

namespace Apo.Cli.Bench;

/// <summary>
/// `apo bench`: A*-PO, the three baselines and asynchronous A*-PO (apo-async) on the same embedded task, seed, reference and number of
/// prompt updates. The reference is trained once here; each algorithm then runs as its own (ReferenceChildren)
/// `apo run --algo …` child process (so its peak memory is its own) in &lt;out&gt;/&lt;algo&gt;. A bench killed
/// half-way resumes: finished algorithms are read back, an unfinished one resumes from its checkpoint.
/// </summary>
public static class BenchRun
{
    /// <param name="Out">Bench directory.</param>
    /// <param name="PresetName">tiny or default.</param>
    /// <param name="ConfigPath">Optional JSON overlay on the preset, passed to every child unchanged.</param>
    public sealed record Request(string Out, string PresetName, long? Seed, string? ConfigPath, IReadOnlyList<string> Algorithms);

    public static async Task<BenchReport> ExecuteAsync(Request request, Action<string> progress, CancellationToken cancellation = default)
    {
        var preset = Commands.RunCommand.Resolve(request.PresetName, request.ConfigPath, request.Seed);
        var layout = new RunLayout(request.Out);
        Directory.CreateDirectory(layout.Root);
        layout.Claim(EmbeddedPresetJson.Serialize(preset), "bench settings");

        ReferenceChildren.EnsureReference(layout, preset, progress);

        var results = new Dictionary<string, AlgorithmResult>();
        foreach (var key in request.Algorithms)
        {
            var (summary, outcome) = await ReferenceChildren.RunAsync(layout, key, ChildArguments(request, key, Path.Combine(layout.Root, key)), progress, cancellation);
            results[key] = Result(summary, outcome, new RunLayout(Path.Combine(layout.Root, key)).SummaryJson);
            progress($"{key}: {results[key].Seconds:F1} s of training, peak RSS {results[key].PeakRssMegabytes:F0} MB");
        }

        int promptUpdates = preset.StageTwo.Iterations * preset.StageTwo.PromptsPerBatch;
        var report = new BenchReport(preset.Name, preset.Seed, promptUpdates, Machine(), DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), results);
        report.Save(layout.Root);
        BenchCharts.Write(Path.Combine(layout.Root, "plots"), report);
        return report;
    }

    static List<string> ChildArguments(Request request, string key, string directory)
    {
        var (algorithm, maxStaleness) = BenchKeys.Of(key);
        var args = new List<string> { "run", "--algo", algorithm.CommandLineName(), "--max-staleness", maxStaleness.ToString(CultureInfo.InvariantCulture),
            "--preset", request.PresetName, "--out", directory };
        if (request.Seed is { } seed) args.AddRange(["--seed", seed.ToString(CultureInfo.InvariantCulture)]);
        if (request.ConfigPath is { } config) args.AddRange(["--config", config]);
        return args;
    }

    static AlgorithmResult Result(RunSummary summary, SelfProcess.Outcome? outcome, string path)
    {
        var memory = summary.Memory ?? throw new InvalidDataException($"{path}: field \"memory\" is missing (not an embedded run?)");
        return new AlgorithmResult(
            summary.Seconds.StageOne + summary.Seconds.StageTwo, memory.PeakRssMegabytes, memory.PeakTensorMegabytes,
            summary.Kl, summary.Trained.GreedyAccuracy, summary.Trained.AvgAtK,
            summary.Seconds.StageOne, summary.Seconds.StageTwo,
            outcome?.Elapsed.TotalSeconds ?? double.NaN, outcome?.PeakResidentBytes / (1024.0 * 1024.0),
            summary.KlPerToken, summary.Reference.GreedyAccuracy, summary.Reference.AvgAtK, summary.Trained.K);
    }

    internal static string Machine() =>
        $"{Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, {RuntimeInformation.OSDescription}, " +
        $".NET {Environment.Version}";
}

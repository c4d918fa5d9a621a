using Apo.Cli.Runs;
using Apo.Engine.Presets;

namespace Apo.Cli.Bench;

/// <summary>
/// `apo bench --seeds`: the one-seed bench once per seed, each in &lt;out&gt;/seed-&lt;s&gt; with its own reference
/// (trained with that seed) shared by every algorithm of the seed, then the report over seeds. A bench
/// killed half-way resumes per (seed, algorithm): finished rows are read back, an unfinished one resumes.
/// </summary>
public static class MultiSeedBenchRun
{
    public static async Task<MultiSeedBenchReport> ExecuteAsync(BenchRun.Request request, IReadOnlyList<long> seeds, Action<string> progress,
        CancellationToken cancellation = default)
    {
        // The top directory is claimed by the settings without their seed: adding seeds later extends the same bench.
        var preset = Commands.RunCommand.Resolve(request.PresetName, request.ConfigPath, seed: 0);
        var layout = new RunLayout(request.Out);
        Directory.CreateDirectory(layout.Root);
        layout.Claim("multi-seed bench of " + EmbeddedPresetJson.Serialize(preset), "bench settings");

        var reports = new List<BenchReport>();
        foreach (var seed in seeds)
        {
            progress($"seed {seed} ({reports.Count + 1} of {seeds.Count})");
            reports.Add(await BenchRun.ExecuteAsync(request with { Out = SeedList.Directory(request.Out, seed), Seed = seed },
                line => progress($"seed {seed}: {line}"), cancellation));
        }
        var first = reports[0];
        var report = new MultiSeedBenchReport(first.Preset, seeds, first.PromptUpdates, first.Machine, first.Date, reports);
        report.Save(layout.Root);
        BenchCharts.WriteSpread(Path.Combine(layout.Root, "plots"), report);
        return report;
    }
}

using System.Globalization;
using Apo.Cli.Bench;
using Apo.Cli.Runs;
using Apo.Engine.Presets;

namespace Apo.Cli.Ablation;

/// <summary>
/// `apo ablate`: A*-PO's knobs swept one at a time on the embedded task, on several seeds. Per seed, one
/// reference (trained with that seed) in &lt;out&gt;/seed-&lt;s&gt;, shared by every setting, each an `apo run` child
/// in &lt;out&gt;/seed-&lt;s&gt;/&lt;setting&gt;. A setting two knobs reach runs once. Resumable per (seed, setting).
/// </summary>
public static class AblationRun
{
    public sealed record Request(string Out, string PresetName, string? ConfigPath, IReadOnlyList<string> Knobs, IReadOnlyList<long> Seeds);

    public static async Task<AblationReport> ExecuteAsync(Request request, Action<string> progress, CancellationToken cancellation = default)
    {
        var unseeded = Commands.RunCommand.Resolve(request.PresetName, request.ConfigPath, seed: 0);
        var sweeps = request.Knobs.ToDictionary(k => k, k => AblationKnobs.Sweep(k, unseeded));
        var variants = sweeps.Values.SelectMany(p => p).Select(p => p.Variant).Distinct().ToList();
        foreach (var v in variants) v.Apply(unseeded).Validate($"ablation setting {v.Name}");
        var root = new RunLayout(request.Out);
        Directory.CreateDirectory(root.Root);
        root.Claim("ablation of " + EmbeddedPresetJson.Serialize(unseeded), "ablation settings");

        var results = new Dictionary<(long Seed, AblationVariant Variant), AblationResult>();
        foreach (var seed in request.Seeds)
        {
            var preset = Commands.RunCommand.Resolve(request.PresetName, request.ConfigPath, seed);
            var layout = new RunLayout(SeedList.Directory(root.Root, seed));
            Directory.CreateDirectory(layout.Root);
            layout.Claim(EmbeddedPresetJson.Serialize(preset), "ablation settings");
            void Progress(string line) => progress($"seed {seed}: {line}");
            ReferenceChildren.EnsureReference(layout, preset, Progress);
            foreach (var variant in variants)
            {
                // The child gets the whole setting as its config, so it needs no option per knob.
                string config = Path.Combine(layout.Root, variant.Name + ".config.json");
                Apo.Common.IO.AtomicFile.WriteAllText(config, EmbeddedPresetJson.Serialize(variant.Apply(preset)));
                string directory = Path.Combine(layout.Root, variant.Name);
                await ReferenceChildren.RunAsync(layout, variant.Name,
                    ["run", "--algo", "apo", "--preset", request.PresetName, "--config", config, "--seed", seed.ToString(CultureInfo.InvariantCulture), "--out", directory],
                    Progress, cancellation);
                results[(seed, variant)] = AblationResult.Read(new RunLayout(directory));
            }
        }

        var knobs = sweeps.ToDictionary(s => s.Key, s => (IReadOnlyList<AblationReport.Point>)
            [.. s.Value.Select(p => new AblationReport.Point(p.Label, p.Variant, [.. request.Seeds.Select(seed => results[(seed, p.Variant)])]))]);
        var report = new AblationReport(unseeded.Name, request.Seeds, BenchRun.Machine(), DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), knobs);
        report.Save(root.Root);
        AblationCharts.Write(Path.Combine(root.Root, "plots"), report);
        return report;
    }
}

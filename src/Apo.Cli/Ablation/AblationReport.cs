using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Apo.Cli.Bench;
using Apo.Common.IO;

namespace Apo.Cli.Ablation;

/// <summary>
/// ablate.json and ablate.md: per knob, per point of its sweep, every figure over the seeds (mean, sd, 95%
/// interval, each seed's value); for filtering, also the time it saved, paired by seed.
/// </summary>
public sealed record AblationReport(
    [property: JsonPropertyName("preset")] string Preset,
    [property: JsonPropertyName("seeds")] IReadOnlyList<long> Seeds,
    [property: JsonPropertyName("machine")] string Machine,
    [property: JsonPropertyName("date")] string Date,
    [property: JsonPropertyName("knobs")] IReadOnlyDictionary<string, IReadOnlyList<AblationReport.Point>> Knobs)
{
    /// <param name="Results">One per seed, in <see cref="Seeds"/> order.</param>
    public sealed record Point(
        [property: JsonPropertyName("label")] string Label,
        [property: JsonIgnore] AblationVariant Variant,
        [property: JsonIgnore] IReadOnlyList<AblationResult> Results)
    {
        /// <summary>The setting's directory under each seed's.</summary>
        [JsonPropertyName("run")]
        public string Run => Variant.Name;

        [JsonPropertyName("figures")]
        public IReadOnlyDictionary<string, Spread> Figures =>
            AblationResult.Figures.ToDictionary(f => f.Name, f => Spread.Of([.. Results.Select(f.Of)]));
    }

    /// <summary>At each N of the filter sweep: seconds without filtering minus with it, paired by seed (positive: time saved).</summary>
    [JsonPropertyName("filter_seconds_saved")]
    public IReadOnlyDictionary<string, Spread> FilterSecondsSaved
    {
        get
        {
            var points = Knobs.TryGetValue("filter", out var sweep) ? sweep : [];
            var saved = new Dictionary<string, Spread>();
            // Each dropping setting against the same setting that keeps every prompt.
            foreach (var drop in points.Where(p => p.Variant.DropAllZeroPrompts))
                if (points.FirstOrDefault(p => p.Variant == drop.Variant with { DropAllZeroPrompts = false }) is { } keep)
                    saved[$"N={drop.Variant.Samples}"] = Spread.Of([.. keep.Results.Zip(drop.Results, (k, d) => k.Seconds - d.Seconds)]);
            return saved;
        }
    }

    public void Save(string directory)
    {
        AtomicFile.WriteAllText(Path.Combine(directory, "ablate.json"), JsonSerializer.Serialize(this, CliJson.Report) + "\n");
        AtomicFile.WriteAllText(Path.Combine(directory, "ablate.md"), ToMarkdown());
    }

    public string ToMarkdown()
    {
        static string F(double v, string format) => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "n/a";
        static string MeanSd(Spread s, double scale, string format) => $"{F(scale * s.Mean, format)} ± {F(scale * s.StandardDeviation, format)}";
        var md = new StringBuilder();
        md.AppendLine($"# apo ablate — A*-PO, preset {Preset}, {Seeds.Count} seeds ({string.Join(", ", Seeds)})").AppendLine();
        md.AppendLine($"{Machine}; {Date}. Mean ± standard deviation over the seeds; loss and reward are the means of the last tenth of stage 2.").AppendLine();
        foreach (var (knob, points) in Knobs)
        {
            md.AppendLine($"## {knob}").AppendLine();
            md.AppendLine("| setting | final loss | final reward | greedy % | avg@k % | KL / seq | seconds | prompts dropped | stage-2 steps |");
            md.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
            foreach (var p in points)
            {
                var f = p.Figures;
                md.AppendLine($"| {p.Label} | {MeanSd(f["final_loss"], 1, "F4")} | {MeanSd(f["final_reward"], 1, "F3")} | {MeanSd(f["greedy_accuracy"], 100, "F1")} | " +
                    $"{MeanSd(f["avg_at_k"], 100, "F1")} | {MeanSd(f["kl"], 1, "F3")} | {MeanSd(f["seconds"], 1, "F1")} | {MeanSd(f["prompts_dropped"], 1, "F0")} | {MeanSd(f["iterations"], 1, "F0")} |");
            }
            md.AppendLine();
        }
        foreach (var (at, saved) in FilterSecondsSaved)
            md.AppendLine($"Filtering at {at} saved {F(saved.Mean, "F1")} s [95% interval {F(saved.Low, "F1")}, {F(saved.High, "F1")}] per run, paired by seed.");
        return md.ToString();
    }
}

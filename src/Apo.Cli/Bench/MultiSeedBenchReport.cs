using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Apo.Common.IO;

namespace Apo.Cli.Bench;

/// <summary>
/// The bench over several seeds (bench.json and bench.md at the top of a `--seeds` bench): per algorithm
/// and figure the mean, standard deviation, 95% interval and every seed's value; A*-PO's paired
/// differences to every other row (A*-PO minus it, seed by seed, so a seed's reference cancels out);
/// and on how many seeds each of the paper's expectations held. Each seed's own report is kept beside it.
/// </summary>
public sealed record MultiSeedBenchReport(
    [property: JsonPropertyName("preset")] string Preset,
    [property: JsonPropertyName("seeds")] IReadOnlyList<long> Seeds,
    [property: JsonPropertyName("prompt_updates")] int PromptUpdates,
    [property: JsonPropertyName("machine")] string Machine,
    [property: JsonPropertyName("date")] string Date,
    [property: JsonIgnore] IReadOnlyList<BenchReport> PerSeed)
{
    /// <summary>Rows present on every seed, in report order.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> Keys => [.. BenchReport.Keys.Where(k => PerSeed.All(r => r.Algorithms.ContainsKey(k)))];

    [JsonPropertyName("algorithms")]
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, Spread>> Algorithms =>
        Keys.ToDictionary(k => k, k => FiguresOf(r => r.Algorithms[k]));

    /// <summary>A*-PO's figure minus each other row's, seed by seed (negative seconds: A*-PO faster).</summary>
    [JsonPropertyName("apo_paired_differences")]
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, Spread>> PairedDifferences =>
        Keys.Contains(BenchKeys.Synchronous)
            ? Keys.Where(k => k != BenchKeys.Synchronous).ToDictionary(k => k,
                k => (IReadOnlyDictionary<string, Spread>)BenchFigures.All.ToDictionary(f => f.Name,
                    f => Spread.Of([.. PerSeed.Select(r => f.Of(r.Algorithms[BenchKeys.Synchronous]) - f.Of(r.Algorithms[k]))])))
            : new Dictionary<string, IReadOnlyDictionary<string, Spread>>();

    /// <summary>Every expectation of the one-seed bench, with the seeds it held on.</summary>
    [JsonPropertyName("expectations")]
    public IReadOnlyList<SeedTally> Expectations =>
        [.. PerSeed.SelectMany(r => r.Expectations.Select(e => e.Claim)).Distinct().Select(claim =>
        {
            var judged = PerSeed.Select(r => r.Expectations.FirstOrDefault(e => e.Claim == claim)).ToList();
            return new SeedTally(claim, judged.Count(e => e is { Met: true }), judged.Count(e => e is not null), [.. judged.Select(e => e?.Value ?? double.NaN)]);
        })];

    IReadOnlyDictionary<string, Spread> FiguresOf(Func<BenchReport, AlgorithmResult> row) =>
        BenchFigures.All.ToDictionary(f => f.Name, f => Spread.Of([.. PerSeed.Select(r => f.Of(row(r)))]));

    public void Save(string directory)
    {
        AtomicFile.WriteAllText(Path.Combine(directory, "bench.json"), JsonSerializer.Serialize(this, CliJson.Report) + "\n");
        AtomicFile.WriteAllText(Path.Combine(directory, "bench.md"), ToMarkdown());
    }

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        md.AppendLine($"# apo bench — preset {Preset}, {Seeds.Count} seeds ({string.Join(", ", Seeds)}), {PromptUpdates} prompt updates each").AppendLine();
        md.AppendLine($"{Machine}; {Date}. Mean ± standard deviation over the seeds; each seed trains its own reference.").AppendLine();
        md.AppendLine("| algorithm | seconds | stage-2 s | peak RSS MB | KL / seq | greedy | avg@k |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var (key, figures) in Algorithms)
            md.AppendLine($"| {key} | {string.Join(" | ", BenchFigures.All.Select(f => MeanSd(f.Name, figures[f.Name])))} |");
        if (PairedDifferences.Count > 0)
        {
            md.AppendLine().AppendLine("A*-PO minus each row, paired by seed: mean [95% interval]; * = the interval leaves out 0.").AppendLine();
            md.AppendLine("| A*-PO minus | seconds | stage-2 s | peak RSS MB | KL / seq | greedy (points) | avg@k (points) |");
            md.AppendLine("| --- | --- | --- | --- | --- | --- | --- |");
            foreach (var (key, figures) in PairedDifferences)
                md.AppendLine($"| {key} | {string.Join(" | ", BenchFigures.All.Select(f => Interval(f.Name, figures[f.Name])))} |");
        }
        if (Expectations.Count > 0)
        {
            md.AppendLine().AppendLine("| expectation (the paper's; apo-async: issue 13's) | seeds met | value per seed |").AppendLine("| --- | --- | --- |");
            foreach (var e in Expectations)
                md.AppendLine($"| {e.Claim} | {e.SeedsMet} of {e.SeedsJudged} | {string.Join(", ", e.Values.Select(v => F(v, "F2")))} |");
        }
        md.AppendLine().AppendLine("Per seed:").AppendLine();
        md.AppendLine($"| seed | {string.Join(" | ", Keys.Select(k => $"{k} greedy / avg@k / KL"))} |");
        md.AppendLine($"| --- | {string.Join(" | ", Keys.Select(_ => "---"))} |");
        foreach (var (seed, report) in Seeds.Zip(PerSeed))
            md.AppendLine($"| {seed} | {string.Join(" | ", Keys.Select(k => report.Algorithms[k]).Select(r => $"{Pct(r.GreedyAccuracy)} / {Pct(r.AverageAtK)} / {F(r.Kl, "F3")}"))} |");
        return md.ToString();
    }

    static bool IsAccuracy(string figure) => figure is "greedy_accuracy" or "avg_at_k";
    static string F(double v, string format) => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "n/a";
    static string Pct(double v) => F(100 * v, "F1") + "%";
    static string Format(string figure) => figure is "kl" ? "F3" : figure.StartsWith("peak") ? "F0" : "F1";

    static string MeanSd(string figure, Spread s) => IsAccuracy(figure)
        ? $"{F(100 * s.Mean, "F1")} ± {F(100 * s.StandardDeviation, "F1")}%"
        : $"{F(s.Mean, Format(figure))} ± {F(s.StandardDeviation, Format(figure))}";

    static string Interval(string figure, Spread s)
    {
        double scale = IsAccuracy(figure) ? 100 : 1;
        string format = Format(figure);
        return $"{F(scale * s.Mean, format)} [{F(scale * s.Low, format)}, {F(scale * s.High, format)}]{(s.ExcludesZero ? "*" : "")}";
    }
}

/// <summary>One expectation over seeds: on how many it held, and its measured value on each (seed order).</summary>
public sealed record SeedTally(
    [property: JsonPropertyName("claim")] string Claim,
    [property: JsonPropertyName("seeds_met")] int SeedsMet,
    [property: JsonPropertyName("seeds_judged")] int SeedsJudged,
    [property: JsonPropertyName("values")] IReadOnlyList<double> Values);

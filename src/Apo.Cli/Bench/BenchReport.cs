using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Apo.Algorithm;
using Apo.Common.IO;

namespace Apo.Cli.Bench;

/// <summary>
/// bench.json and bench.md: every algorithm's time, memory, KL and accuracy on the same task, seed and
/// number of prompt updates, the A*-PO ratios computed from this one run, and the paper's expectations
/// checked against them.
/// </summary>
public sealed record BenchReport(
    [property: JsonPropertyName("preset")] string Preset,
    [property: JsonPropertyName("seed")] long Seed,
    [property: JsonPropertyName("prompt_updates")] int PromptUpdates,
    [property: JsonPropertyName("machine")] string Machine,
    [property: JsonPropertyName("date")] string Date,
    [property: JsonPropertyName("algorithms")] IReadOnlyDictionary<string, AlgorithmResult> Algorithms)
{
    /// <summary>Keys of <see cref="Algorithms"/>, in report order.</summary>
    public static IReadOnlyList<string> Keys => BenchKeys.All;

    /// <summary>Accuracies are counts over the held-out prompts: 0.31 − 0.29 is 2 points, though not exactly 0.02 in floating point.</summary>
    const double Tolerance = 1e-9;

    /// <summary>The baselines' rows present (not A*-PO's, synchronous or asynchronous).</summary>
    IEnumerable<KeyValuePair<string, AlgorithmResult>> Baselines =>
        Algorithms.Where(p => p.Key is not (BenchKeys.Synchronous or BenchKeys.Asynchronous));

    /// <summary>A*-PO's figure divided by each baseline's, e.g. seconds.grpo = apo seconds / grpo seconds.</summary>
    [JsonPropertyName("apo_ratios")]
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Ratios => new Dictionary<string, IReadOnlyDictionary<string, double>>
    {
        ["seconds"] = RatiosOf(r => r.Seconds),
        ["peak_rss_mb"] = RatiosOf(r => r.PeakRssMegabytes),
        ["peak_tensor_mb"] = RatiosOf(r => r.PeakTensorMegabytes ?? double.NaN),
        ["kl"] = RatiosOf(r => r.Kl),
    };

    /// <summary>The paper's four claims (App. A.5 setting), each checked on this run's numbers.</summary>
    [JsonPropertyName("expectations")]
    public IReadOnlyList<Expectation> Expectations
    {
        get
        {
            if (!Algorithms.TryGetValue("apo", out var apo)) return [];
            var list = new List<Expectation>();
            foreach (var other in new[] { "grpo", "ppo" })
                if (Algorithms.TryGetValue(other, out var r))
                    list.Add(new($"A*-PO time ≤ 0.6 × {other.ToUpperInvariant()}'s", apo.Seconds / r.Seconds, apo.Seconds <= 0.6 * r.Seconds));
            foreach (var other in new[] { "ppo", "rebel" })
                if (Algorithms.TryGetValue(other, out var r))
                    list.Add(new($"A*-PO peak memory below {other.ToUpperInvariant()}'s (resident)", apo.PeakRssMegabytes / r.PeakRssMegabytes,
                        apo.PeakRssMegabytes < r.PeakRssMegabytes));
            var baselines = Baselines.Select(p => p.Value).ToList();
            if (baselines.Count > 0)
            {
                list.Add(new("A*-PO has the smallest KL", apo.Kl / baselines.Min(b => b.Kl), baselines.All(b => apo.Kl <= b.Kl)));
                double best = baselines.Append(apo).Max(r => r.AverageAtK);
                list.Add(new("A*-PO avg@k within 3 points of the best", 100 * (best - apo.AverageAtK), best - apo.AverageAtK <= 0.03));
            }
            if (Algorithms.TryGetValue(BenchKeys.Asynchronous, out var async))
            {
                // Issue targets of asynchronous stage 2 against the synchronous run of the same bench.
                list.Add(new("apo-async stage-2 time ≤ 0.65 × A*-PO's", async.StageTwoSeconds / apo.StageTwoSeconds, async.StageTwoSeconds <= 0.65 * apo.StageTwoSeconds));
                list.Add(new("apo-async greedy within 2 points of A*-PO's", 100 * (async.GreedyAccuracy - apo.GreedyAccuracy),
                    Math.Abs(async.GreedyAccuracy - apo.GreedyAccuracy) <= 0.02 + Tolerance));
                list.Add(new("apo-async avg@k within 2 points of A*-PO's", 100 * (async.AverageAtK - apo.AverageAtK),
                    Math.Abs(async.AverageAtK - apo.AverageAtK) <= 0.02 + Tolerance));
                list.Add(new("apo-async KL ≤ 1.5 × A*-PO's", async.Kl / apo.Kl, async.Kl <= 1.5 * apo.Kl));
            }
            return list;
        }
    }

    IReadOnlyDictionary<string, double> RatiosOf(Func<AlgorithmResult, double> figure) =>
        Algorithms.TryGetValue("apo", out var apo)
            ? Baselines.ToDictionary(p => p.Key, p => figure(apo) / figure(p.Value))
            : new Dictionary<string, double>();

    /// <summary>Asynchronous A*-PO's figure divided by synchronous A*-PO's, from this one bench (null without both rows).</summary>
    [JsonPropertyName("apo_async_ratios")]
    public IReadOnlyDictionary<string, double>? AsyncRatios =>
        Algorithms.TryGetValue(BenchKeys.Synchronous, out var apo) && Algorithms.TryGetValue(BenchKeys.Asynchronous, out var async)
            ? new Dictionary<string, double>
            {
                ["stage2_seconds"] = async.StageTwoSeconds / apo.StageTwoSeconds,
                ["seconds"] = async.Seconds / apo.Seconds,
                ["peak_rss_mb"] = async.PeakRssMegabytes / apo.PeakRssMegabytes,
                ["kl"] = async.Kl / apo.Kl,
            }
            : null;

    public string ToJson() => JsonSerializer.Serialize(this, CliJson.Report);

    public void Save(string directory)
    {
        AtomicFile.WriteAllText(Path.Combine(directory, "bench.json"), ToJson() + "\n");
        AtomicFile.WriteAllText(Path.Combine(directory, "bench.md"), ToMarkdown());
    }

    public string ToMarkdown()
    {
        static string F(double v, string format) => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "n/a";
        static string Pct(double v) => F(100 * v, "F1") + "%";
        var md = new StringBuilder();
        md.AppendLine($"# apo bench — preset {Preset}, seed {Seed}, {PromptUpdates} prompt updates each").AppendLine();
        md.AppendLine($"{Machine}; {Date}.").AppendLine();
        md.AppendLine("| algorithm | seconds (stage 1 + 2) | peak RSS MB | peak tensor MB | KL / seq | greedy | avg@k |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var key in Keys.Where(Algorithms.ContainsKey))
        {
            var r = Algorithms[key];
            md.AppendLine($"| {key} | {F(r.Seconds, "F1")} ({F(r.StageOneSeconds, "F1")} + {F(r.StageTwoSeconds, "F1")}) | {F(r.PeakRssMegabytes, "F0")} | " +
                $"{(r.PeakTensorMegabytes is { } t ? F(t, "F1") : "n/a")} | {F(r.Kl, "F3")} | {Pct(r.GreedyAccuracy)} | {Pct(r.AverageAtK)} |");
        }
        if (Algorithms.Values.FirstOrDefault() is { } any)
            md.AppendLine().AppendLine($"Reference policy: greedy {Pct(any.ReferenceGreedyAccuracy)}, avg@{any.K} {Pct(any.ReferenceAverageAtK)}.");
        if (Expectations.Count > 0)
        {
            md.AppendLine().AppendLine("| expectation (the paper's; apo-async: the issue's) | measured | met |").AppendLine("| --- | --- | --- |");
            foreach (var e in Expectations) md.AppendLine($"| {e.Claim} | {F(e.Value, "F2")} | {(e.Met ? "yes" : "no")} |");
        }
        return md.ToString();
    }
}

/// <summary>One of the paper's claims and whether this run bears it out (Value: the ratio or gap it is judged on).</summary>
public sealed record Expectation(
    [property: JsonPropertyName("claim")] string Claim,
    [property: JsonPropertyName("value")] double Value,
    [property: JsonPropertyName("met")] bool Met);

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Apo.Common.IO;

namespace Apo.Cli.Runs;

/// <summary>summary.json: the machine-readable result of a run (reference vs trained, KL, stage 1, timings).</summary>
public sealed record RunSummary(
    [property: JsonPropertyName("reference")] PolicyScores Reference,
    [property: JsonPropertyName("trained")] PolicyScores Trained,
    [property: JsonPropertyName("kl")] double Kl,
    [property: JsonPropertyName("kl_per_token")] double KlPerToken,
    [property: JsonPropertyName("stage1")] StageOneSummary StageOne,
    [property: JsonPropertyName("seconds")] PhaseSeconds Seconds)
{
    /// <summary>The stage-2 learner: astar-po, grpo, rebel or ppo.</summary>
    [JsonPropertyName("algorithm")]
    public string Algorithm { get; init; } = "astar-po";

    /// <summary>Peak memory of stages 1 and 2 in the process that trained (embedded runs; null for a cluster client).</summary>
    [JsonPropertyName("memory")]
    public TrainingMemory? Memory { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, CliJson.Report);

    public static RunSummary Load(string path) =>
        JsonSerializer.Deserialize<RunSummary>(File.ReadAllText(path), CliJson.Report) ?? throw new InvalidDataException($"{path}: empty summary");

    public void Save(RunLayout layout)
    {
        AtomicFile.WriteAllText(layout.SummaryJson, ToJson() + "\n");
        AtomicFile.WriteAllText(layout.SummaryMarkdown, ToMarkdown());
    }

    public string ToMarkdown()
    {
        static string Pct(double v) => (100 * v).ToString("F1", CultureInfo.InvariantCulture) + "%";
        static string F(double v, string format = "F3") => v.ToString(format, CultureInfo.InvariantCulture);
        var md = new StringBuilder();
        md.AppendLine(Algorithm == "astar-po" ? "# A*-PO run summary" : $"# Run summary ({Algorithm})").AppendLine();
        md.AppendLine($"| policy | greedy accuracy | avg@{Reference.K} |").AppendLine("| --- | --- | --- |");
        md.AppendLine($"| reference | {Pct(Reference.GreedyAccuracy)} | {Pct(Reference.AvgAtK)} |");
        md.AppendLine($"| trained | {Pct(Trained.GreedyAccuracy)} | {Pct(Trained.AvgAtK)} |");
        md.AppendLine($"| change | {F(100 * (Trained.GreedyAccuracy - Reference.GreedyAccuracy), "+0.0;-0.0")} points | {F(100 * (Trained.AvgAtK - Reference.AvgAtK), "+0.0;-0.0")} points |");
        md.AppendLine().AppendLine($"KL(π ‖ π_ref) on held-out prompts: {F(Kl)} nats per sequence, {F(KlPerToken, "F4")} per token.").AppendLine();
        md.AppendLine($"Stage 1: {StageOne.Prompts} training prompts, {StageOne.PromptsWithVStar} with V̂*, mean V̂* {F(StageOne.MeanVStar)}" +
            (StageOne.PromptsDropped > 0 ? $"; {StageOne.PromptsDropped} dropped (pass@N = 0)." : ".")).AppendLine();
        md.AppendLine("| phase | seconds |").AppendLine("| --- | --- |");
        foreach (var (name, value) in new[] { ("SFT", Seconds.Sft), ("stage 1", Seconds.StageOne), ("stage 2", Seconds.StageTwo), ("evaluation", Seconds.Eval), ("total", Seconds.Total) })
            md.AppendLine($"| {name} | {F(value, "F1")} |");
        if (Memory is { } memory)
            md.AppendLine().AppendLine($"Peak memory of stages 1–2: {F(memory.PeakRssMegabytes, "F0")} MB resident, " +
                (memory.PeakTensorMegabytes is { } tensors ? $"{F(tensors, "F1")} MB native heap (tensors)." : "native heap not measurable here."));
        return md.ToString();
    }
}

/// <summary>Held-out scores of one policy.</summary>
public sealed record PolicyScores(
    [property: JsonPropertyName("greedy_accuracy")] double GreedyAccuracy,
    [property: JsonPropertyName("avg_at_k")] double AvgAtK,
    [property: JsonPropertyName("k")] int K);

/// <summary>What stage 1 produced.</summary>
public sealed record StageOneSummary(
    [property: JsonPropertyName("prompts")] int Prompts,
    [property: JsonPropertyName("prompts_with_vstar")] int PromptsWithVStar,
    [property: JsonPropertyName("mean_vstar")] double MeanVStar)
{
    /// <summary>Prompts stage 1 dropped before stage 2 (pass@N = 0, with <c>stageOne.dropAllZeroPrompts</c>); 0 without filtering.</summary>
    [JsonPropertyName("prompts_dropped")]
    public int PromptsDropped { get; init; }
}

/// <summary>Wall time per phase (a resumed run counts only the time spent in the invocation that did the work).</summary>
public sealed record PhaseSeconds(
    [property: JsonPropertyName("sft")] double Sft,
    [property: JsonPropertyName("stage1")] double StageOne,
    [property: JsonPropertyName("stage2")] double StageTwo,
    [property: JsonPropertyName("eval")] double Eval,
    [property: JsonPropertyName("total")] double Total);

/// <summary>
/// Peak memory of stages 1 and 2 (set-up before and evaluation after are left out). See
/// <see cref="Apo.Common.Diagnostics.PeakMemoryWindow"/> for how each figure is measured.
/// </summary>
public sealed record TrainingMemory(
    [property: JsonPropertyName("peak_rss_mb")] double PeakRssMegabytes,
    [property: JsonPropertyName("peak_tensor_mb")] double? PeakTensorMegabytes,
    [property: JsonPropertyName("rss_peak_exact")] bool RssPeakIsExact);

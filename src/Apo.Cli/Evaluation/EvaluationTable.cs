using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Apo.Common.IO;
using Apo.Tasks.Evaluation;

namespace Apo.Cli.Evaluation;

/// <summary>
/// The paper's Table 1 for one policy: per benchmark, greedy accuracy and avg@k / pass@k of the sampled
/// responses, the reference's beside it when one is given, and KL(π ‖ π_ref). Each cell comes from the full
/// evaluation report kept in the JSON.
/// </summary>
public sealed record EvaluationTable(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("reference")] string? Reference,
    [property: JsonPropertyName("benchmarks")] IReadOnlyList<EvaluationTable.Row> Benchmarks)
{
    /// <param name="Trained">The policy's report (with KL when a reference was given).</param>
    /// <param name="ReferenceScores">The reference's own report on the same prompts and sampling, or null.</param>
    public sealed record Row(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("data")] string Data,
        [property: JsonPropertyName("policy")] EvaluationReport Trained,
        [property: JsonPropertyName("reference")] EvaluationReport? ReferenceScores);

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Writes the JSON to <paramref name="path"/> and the markdown beside it (same name, .md).</summary>
    public void Save(string path)
    {
        AtomicFile.WriteAllText(path, ToJson() + "\n");
        AtomicFile.WriteAllText(Path.ChangeExtension(path, ".md"), ToMarkdown());
    }

    public string ToMarkdown()
    {
        static string Pct(double? v) => v is { } x && double.IsFinite(x) ? (100 * x).ToString("F1", CultureInfo.InvariantCulture) : "n/a";
        static string Num(double? v) => v is { } x && double.IsFinite(x) ? x.ToString("F3", CultureInfo.InvariantCulture) : "n/a";
        var first = Benchmarks[0].Trained;
        int k = first.SamplesPerPrompt ?? 0;
        bool withReference = Reference is not null;
        var md = new StringBuilder();
        md.AppendLine($"# apo eval — {Model}{(withReference ? $" against the reference {Reference}" : "")}").AppendLine();
        md.AppendLine(k > 0
            ? FormattableString.Invariant($"Greedy accuracy, and avg@{k} / pass@{k} of {k} samples at temperature {first.Temperature}, top-p {first.TopP} (%).")
            : "Greedy accuracy (%).").AppendLine();
        var columns = new List<string> { "benchmark", "prompts" };
        if (withReference) columns.AddRange(["reference greedy", "policy greedy"]); else columns.Add("greedy");
        if (k > 0)
        {
            if (withReference) columns.AddRange([$"reference avg@{k}", $"policy avg@{k}", $"reference pass@{k}", $"policy pass@{k}"]);
            else columns.AddRange([$"avg@{k}", $"pass@{k}"]);
        }
        if (withReference) columns.Add("KL / seq");
        md.AppendLine($"| {string.Join(" | ", columns)} |").AppendLine($"|{string.Concat(columns.Select(_ => " --- |"))}");
        foreach (var row in Benchmarks)
        {
            var (p, r) = (row.Trained, row.ReferenceScores);
            var cells = new List<string> { row.Name, p.Prompts.ToString(CultureInfo.InvariantCulture) };
            if (withReference) cells.AddRange([Pct(r?.GreedyAccuracy), Pct(p.GreedyAccuracy)]); else cells.Add(Pct(p.GreedyAccuracy));
            if (k > 0)
            {
                double? PassK(EvaluationReport? e) => e?.PassAtK is { } d && d.TryGetValue(k, out var v) ? v : null;
                if (withReference) cells.AddRange([Pct(r?.AverageAtK), Pct(p.AverageAtK), Pct(PassK(r)), Pct(PassK(p))]);
                else cells.AddRange([Pct(p.AverageAtK), Pct(PassK(p))]);
            }
            if (withReference) cells.Add(Num(p.Kl?.PerSequence));
            md.AppendLine($"| {string.Join(" | ", cells)} |");
        }
        if (Benchmarks.Count > 1)
        {
            double Mean(Func<EvaluationReport, double?> f) => Benchmarks.Average(b => f(b.Trained) ?? double.NaN);
            md.AppendLine().AppendLine($"Mean greedy accuracy over the {Benchmarks.Count} benchmarks (unweighted, as in the paper): policy {Pct(Mean(e => e.GreedyAccuracy))}" +
                (withReference ? $", reference {Pct(Benchmarks.Average(b => b.ReferenceScores?.GreedyAccuracy ?? double.NaN))}." : "."));
        }
        return md.ToString();
    }
}

using System.Text.Json.Nodes;
using Apo.Common.IO;

namespace Apo.Cli.Runs;

/// <summary>One line of metrics.jsonl, as the trainer writes it.</summary>
public sealed record StepMetrics(
    long Step,
    double MeanReward,
    double Loss,
    double Kl,
    double MeanVStar,
    double ResponseLength,
    double TokensPerSecond,
    double StepSeconds,
    double? HeldOutAccuracy)
{
    public static IReadOnlyList<StepMetrics> ReadAll(string path) =>
        File.Exists(path) ? JsonLines.ReadAll(path).Select(Parse).ToList() : [];

    static StepMetrics Parse(JsonLine line) => new(
        (long)Number(line, "step"),
        Number(line, "mean_reward"),
        Number(line, "loss"),
        Number(line, "kl"),
        Number(line, "mean_vstar"),
        Number(line, "response_length"),
        Number(line, "tokens_per_second"),
        Number(line, "step_seconds"),
        line.Row["heldout_accuracy"] is JsonValue v && v.TryGetValue(out double a) ? a : null);

    static double Number(JsonLine line, string field) =>
        line.Row[field] is JsonValue v && v.TryGetValue(out double d) ? d
        : throw new InvalidDataException($"{line.Where}: field \"{field}\" is missing or not a number");
}

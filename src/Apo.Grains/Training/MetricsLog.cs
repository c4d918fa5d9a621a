using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Apo.Common.IO;

namespace Apo.Grains.Training;

/// <summary>One line of <c>metrics.jsonl</c>: what iteration <see cref="Step"/> (1-based, = weight version it produced) measured.</summary>
public sealed record IterationMetrics(
    long Step,
    double MeanReward,
    double Loss,
    double KlPerSequence,
    double MeanVStar,
    double MeanResponseLength,
    double TokensPerSecond,
    double StepSeconds,
    double GradientNorm,
    double? HeldOutAccuracy = null)
{
    /// <summary>
    /// How many weight versions the batch's rollouts were behind the policy they trained (0 when synchronous; at most
    /// the plan's max staleness).
    /// </summary>
    public long Staleness { get; init; }

    /// <summary>Seconds the trainer waited for the batch's rollouts (a step's sampling it could not hide behind training).</summary>
    public double RolloutWaitSeconds { get; init; }

    /// <summary>Seconds of this step in which the generators had nothing to sample because the weights they needed were not published yet.</summary>
    public double WeightWaitSeconds { get; init; }

    public string ToJsonLine() => WithHeldOut(new JsonObject
    {
        ["step"] = Step,
        ["mean_reward"] = Number(MeanReward),
        ["loss"] = Number(Loss),
        ["kl_per_sequence"] = Number(KlPerSequence),
        ["mean_vstar"] = Number(MeanVStar),
        ["mean_response_length"] = Number(MeanResponseLength),
        ["tokens_per_second"] = Number(TokensPerSecond),
        ["step_seconds"] = Number(StepSeconds),
        ["gradient_norm"] = Number(GradientNorm),
        ["staleness"] = Staleness,
        ["rollout_wait_seconds"] = Number(RolloutWaitSeconds),
        ["weight_wait_seconds"] = Number(WeightWaitSeconds),
    }).ToJsonString();

    /// <summary>Held-out accuracy is measured only at checkpoints; other lines leave the field out.</summary>
    JsonObject WithHeldOut(JsonObject line)
    {
        if (HeldOutAccuracy is { } accuracy) line["heldout_accuracy"] = Number(accuracy);
        return line;
    }

    /// <summary>Reads a line written by <see cref="ToJsonLine"/>; null values (non-finite when written) come back as NaN.</summary>
    public static IterationMetrics FromJson(JsonObject line, string where) => new(
        line["step"] is JsonValue s && s.TryGetValue(out long step) ? step : throw new InvalidDataException($"{where}: field \"step\" is missing or not an integer"),
        Read(line, "mean_reward", where),
        Read(line, "loss", where),
        Read(line, "kl_per_sequence", where),
        Read(line, "mean_vstar", where),
        Read(line, "mean_response_length", where),
        Read(line, "tokens_per_second", where),
        Read(line, "step_seconds", where),
        Read(line, "gradient_norm", where),
        line.ContainsKey("heldout_accuracy") ? Read(line, "heldout_accuracy", where) : null)
    {
        // Lines written before asynchronous stage 2 have no pipeline fields: they were synchronous.
        Staleness = line["staleness"] is JsonValue k && k.TryGetValue(out long staleness) ? staleness : 0,
        RolloutWaitSeconds = line.ContainsKey("rollout_wait_seconds") ? Read(line, "rollout_wait_seconds", where) : double.NaN,
        WeightWaitSeconds = line.ContainsKey("weight_wait_seconds") ? Read(line, "weight_wait_seconds", where) : double.NaN,
    };

    // JSON has no NaN or infinity: a diverged value is written as null rather than breaking the file.
    static JsonNode? Number(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;

    static double Read(JsonObject line, string field, string where) =>
        line.TryGetPropertyValue(field, out var node) && node is null ? double.NaN
        : node is JsonValue v && v.TryGetValue(out double d) ? d
        : throw new InvalidDataException($"{where}: field \"{field}\" is missing or not a number");
}

/// <summary>
/// <c>&lt;output&gt;/metrics.jsonl</c>, one line per iteration. Lines are appended after each
/// update; on resume the file is first cut back to the checkpoint's step (rewritten atomically),
/// so iterations redone after a crash are neither duplicated nor lost.
/// </summary>
public sealed class MetricsLog(string path)
{
    public string Path { get; } = path;

    public void Append(IterationMetrics metrics)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
        using var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read);
        stream.Write(Encoding.UTF8.GetBytes(metrics.ToJsonLine() + "\n"));
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Keeps only the lines of steps ≤ <paramref name="step"/>; a torn last line (crash mid-append) is dropped too.</summary>
    public void CutBackTo(long step)
    {
        if (!File.Exists(Path)) return;
        var lines = File.ReadAllLines(Path);
        var kept = new List<string>();
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            long? lineStep = StepOf(lines[i]);
            if (lineStep is null)
            {
                if (i == lines.Length - 1) break;
                throw new InvalidDataException($"{Path} line {i + 1}: not a metrics record (field \"step\" is missing or not a number)");
            }
            if (lineStep <= step) kept.Add(lines[i]);
        }
        if (kept.Count == lines.Length) return;
        AtomicFile.WriteAllText(Path, kept.Count == 0 ? "" : string.Join("\n", kept) + "\n");
    }

    /// <summary>The records in the file, parsed, in order.</summary>
    public IReadOnlyList<IterationMetrics> ReadMetrics() =>
        Read().Select((line, i) => IterationMetrics.FromJson(line, $"{Path} record {i + 1}")).ToList();

    /// <summary>The records in the file, in order.</summary>
    public IReadOnlyList<JsonObject> Read() =>
        File.Exists(Path)
            ? File.ReadAllLines(Path).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!.AsObject()).ToList()
            : [];

    static long? StepOf(string line)
    {
        try
        {
            return JsonNode.Parse(line) is JsonObject o && o["step"] is JsonValue v && v.TryGetValue(out long s) ? s : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

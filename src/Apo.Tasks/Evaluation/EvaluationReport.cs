using Apo.Common.IO;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Apo.Tasks.Verifiers;

namespace Apo.Tasks.Evaluation;

/// <summary>
/// Everything one evaluation run measured, serialisable to JSON. Metrics that were not computed
/// stay null and are left out of the JSON.
/// </summary>
public sealed record EvaluationReport
{
    /// <summary>Task name, e.g. "gsm8k" or "math".</summary>
    public required string Task { get; init; }
    /// <summary>Which split or file was evaluated.</summary>
    public string? Split { get; init; }
    /// <summary>The checkpoint evaluated (path or name).</summary>
    public string? Checkpoint { get; init; }
    /// <summary>Number of held-out prompts.</summary>
    public int Prompts { get; init; }

    /// <summary>Mean score of one greedy response per prompt.</summary>
    public double? GreedyAccuracy { get; init; }

    /// <summary>Samples per prompt (n) behind <see cref="AverageAtK"/> and <see cref="PassAtK"/>.</summary>
    public int? SamplesPerPrompt { get; init; }
    public double? Temperature { get; init; }
    public double? TopP { get; init; }
    /// <summary>avg@n: mean score over all n samples of every prompt.</summary>
    public double? AverageAtK { get; init; }
    /// <summary>Unbiased pass@k for each k reported.</summary>
    public IReadOnlyDictionary<int, double>? PassAtK { get; init; }

    /// <summary>KL(π‖π_ref) estimate on responses sampled from π.</summary>
    public KlEstimate? Kl { get; init; }
    /// <summary>Response lengths in tokens.</summary>
    public LengthStatistics? ResponseLength { get; init; }
    /// <summary>Fraction of responses that hit max-new-tokens without EOS.</summary>
    public double? TruncationRate { get; init; }
    /// <summary>How the verifier fared (failures are counted, never silent).</summary>
    public VerifierStatsSnapshot? Verifier { get; init; }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // A metric can legitimately be NaN (e.g. a KL from a diverged run); the default
        // serializer would throw on it and lose the whole report.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Indented camelCase JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a report written by <see cref="ToJson"/>.</summary>
    /// <exception cref="InvalidDataException">Malformed JSON.</exception>
    public static EvaluationReport FromJson(string json, string source = "evaluation report")
    {
        try
        {
            return JsonSerializer.Deserialize<EvaluationReport>(json, Json)
                   ?? throw new InvalidDataException($"{source}: the JSON is null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: {e.Message}", e);
        }
    }

    /// <summary>Writes the JSON atomically (see <see cref="AtomicFile"/>).</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson());

    /// <summary>Reads a report saved by <see cref="Save"/>.</summary>
    public static EvaluationReport Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: evaluation report not found", path);
        return FromJson(File.ReadAllText(path), path);
    }
}

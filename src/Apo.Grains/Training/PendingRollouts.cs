using System.Text.Json;
using System.Text.Json.Serialization;
using Apo.Abstractions.Training;
using Apo.Common.IO;

namespace Apo.Grains.Training;

/// <summary>
/// <c>rollouts.json</c> in a checkpoint of asynchronous stage 2: the rollouts of the steps after the checkpoint
/// that were sampled with versions older than the checkpoint's weights (steps i .. i + k − 1 after iteration i).
/// No store keeps those versions across a restart, so the checkpoint keeps their samples instead, and a resumed
/// run trains exactly what the uninterrupted one did. JSON writes every float and double so it reads back bit for bit.
/// </summary>
public static class PendingRollouts
{
    public const string FileName = "rollouts.json";

    static readonly JsonSerializerOptions Options = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, // a baseline's V̂* is NaN; a log-prob may be −∞
    };

    sealed record StepRollouts(long Step, IReadOnlyList<Rollout> Rollouts);

    /// <summary>Writes the steps' rollouts into checkpoint folder <paramref name="directory"/> (atomically).</summary>
    public static void Save(string directory, IEnumerable<(long Step, IReadOnlyList<Rollout> Rollouts)> steps) =>
        AtomicFile.WriteAllText(Path.Combine(directory, FileName),
            JsonSerializer.Serialize(steps.Select(s => new StepRollouts(s.Step, s.Rollouts)).ToList(), Options));

    /// <summary>The rollouts a checkpoint kept, by step; empty when it kept none (a synchronous run's checkpoint).</summary>
    public static IReadOnlyDictionary<long, IReadOnlyList<Rollout>> Load(string directory)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) return new Dictionary<long, IReadOnlyList<Rollout>>();
        List<StepRollouts>? steps;
        try { steps = JsonSerializer.Deserialize<List<StepRollouts>>(File.ReadAllText(path), Options); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not a list of steps' rollouts ({e.Message})", e); }
        if (steps is null || steps.Any(s => s?.Rollouts is null)) throw new InvalidDataException($"{path}: a step has no rollouts");
        return steps.ToDictionary(s => s.Step, s => s.Rollouts);
    }
}

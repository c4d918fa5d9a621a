using System.Text.Json.Nodes;

namespace Apo.Grains.Training;

/// <summary>
/// The trainer's part of a checkpoint (<c>trainer.json</c>): how far training got, where the data
/// order stands and which plan the weights belong to. The policy and optimizer state sit beside it.
/// </summary>
/// <param name="Iteration">Completed iterations (also the step in the folder name).</param>
/// <param name="Position">Data position after the last completed batch.</param>
/// <param name="WeightVersion">The policy version these weights were published as.</param>
/// <param name="PlanHash">Hash of the plan that produced them.</param>
/// <param name="RolloutsConsumed">Rollouts used so far.</param>
/// <param name="OptimizerSteps">Optimizer steps taken so far.</param>
public sealed record TrainerCheckpoint(
    long Iteration,
    DataPosition Position,
    long WeightVersion,
    string PlanHash,
    long RolloutsConsumed,
    long OptimizerSteps)
{
    public const string FileName = "trainer.json";

    public string ToJson() => new JsonObject
    {
        ["iteration"] = Iteration,
        ["epoch"] = Position.Epoch,
        ["offset"] = Position.Offset,
        ["weight_version"] = WeightVersion,
        ["plan_hash"] = PlanHash,
        ["rollouts_consumed"] = RolloutsConsumed,
        ["optimizer_steps"] = OptimizerSteps,
    }.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });

    public static TrainerCheckpoint Parse(string json, string source)
    {
        JsonObject o;
        try { o = JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException($"{source}: not a JSON object"); }
        catch (System.Text.Json.JsonException e) { throw new InvalidDataException($"{source}: not valid JSON ({e.Message})", e); }

        long Long(string field) =>
            o[field] is JsonValue v && v.TryGetValue(out long x) && x >= 0 ? x
            : throw new InvalidDataException($"{source}: field \"{field}\" is missing or not a non-negative integer");
        string hash = o["plan_hash"] is JsonValue h && h.TryGetValue(out string? s) && !string.IsNullOrEmpty(s) ? s
            : throw new InvalidDataException($"{source}: field \"plan_hash\" is missing");
        long offset = Long("offset");
        if (offset > int.MaxValue) throw new InvalidDataException($"{source}: field \"offset\" is out of range");
        return new TrainerCheckpoint(Long("iteration"), new DataPosition(Long("epoch"), (int)offset), Long("weight_version"),
            hash, Long("rollouts_consumed"), Long("optimizer_steps"));
    }
}

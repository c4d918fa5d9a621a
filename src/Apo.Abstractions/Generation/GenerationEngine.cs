namespace Apo.Abstractions.Generation;

/// <summary>
/// The shape a run's sampling batches take on every generator: the rollout engine's decode slots and its
/// key/value budget. Float rounding of a batched matmul depends on how many rows it has, so two silos with
/// different engine settings can draw different tokens from the same seeds. The run fixes this shape and
/// sends it with every work unit and rollout chunk; a silo's own generation settings apply only to calls
/// that name none.
/// </summary>
/// <param name="Slots">Sequences decoded together (≥ 1).</param>
/// <param name="KvTokens">Key/value memory of the engine in cached tokens (0 = no budget).</param>
[GenerateSerializer, Immutable, Alias("apo.GenerationEngine")]
public sealed record GenerationEngine(
    [property: Id(0)] int Slots,
    [property: Id(1)] long KvTokens)
{
    /// <summary>Null when usable, else a message naming the bad field.</summary>
    public string? Problem() =>
        Slots < 1 ? $"generation slots is {Slots}; it must be ≥ 1"
        : KvTokens < 0 ? $"generation KV budget is {KvTokens} tokens; it must be ≥ 0 (0 = none)"
        : null;
}

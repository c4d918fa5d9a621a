using Apo.Model.Inference;

namespace Apo.Grains.Generation;

/// <summary>How a silo's generator grains sample (bind from the silo config or set in code).</summary>
public sealed class GeneratorOptions
{
    /// <summary>Default sequences per sampling batch: a tiny CPU model gains little past this; a GPU silo wants hundreds.</summary>
    public const int DefaultBatchSize = 64;

    /// <summary>
    /// Sequences decoded together (the rollout engine's slots), in stage 1, stage 2 and plain generation;
    /// a finished sequence's slot is refilled at once. A per-sequence seed makes each sample independent
    /// of which sequences it is decoded with.
    /// </summary>
    public int BatchSize { get; set; } = DefaultBatchSize;

    /// <summary>
    /// Key/value memory of the rollout engine in cached tokens (see <see cref="SamplerSettings.KvTokens"/>):
    /// the batch's slots share it by slabs when slots × longest sequence would not fit. 0 = no budget.
    /// </summary>
    public long KvTokens { get; set; } = SamplerSettings.DefaultKvTokens;

    /// <summary>Replace sampling by a timed latency model (scale tests); off by default.</summary>
    public GenerationSimulation Simulation { get; set; } = new();

    /// <summary>
    /// The rollout engine's settings: the run's batch shape when it names one (so placement never changes a
    /// result), else <see cref="BatchSize"/> slots within <see cref="KvTokens"/>.
    /// </summary>
    public SamplerSettings ToSamplerSettings(Apo.Abstractions.Generation.GenerationEngine? run = null) =>
        run is null ? new() { Slots = BatchSize, KvTokens = KvTokens } : new() { Slots = run.Slots, KvTokens = run.KvTokens };
}

namespace Apo.Grains.Generation;

/// <summary>How a silo's generator grains sample (bind from the silo config or set in code).</summary>
public sealed class GeneratorOptions
{
    /// <summary>Default sequences per sampling batch: a tiny CPU model gains little past this; a GPU silo wants hundreds.</summary>
    public const int DefaultBatchSize = 64;

    /// <summary>
    /// Sequences decoded together (with their KV caches) in one sampling batch, in stage 1, stage 2 and
    /// plain generation. A per-sequence seed makes each sample independent of which batch it lands in.
    /// </summary>
    public int BatchSize { get; set; } = DefaultBatchSize;
}

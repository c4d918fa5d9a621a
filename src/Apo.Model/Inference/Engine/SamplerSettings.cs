namespace Apo.Model.Inference;

/// <summary>How <see cref="Sampler"/> schedules sequences and sizes its key/value memory.</summary>
public sealed record SamplerSettings
{
    /// <summary>Default decode slots: a tiny CPU model gains little past this; a GPU silo wants hundreds.</summary>
    public const int DefaultSlots = 64;
    /// <summary>Default KV budget in tokens (per token: layers × 2 × kvHeads × headDim elements; 24.6 KB in float32 at the Qwen2.5-0.5B shape, so 1.6 GB).</summary>
    public const int DefaultKvTokens = 65_536;
    /// <summary>Default prompt tokens (padded) prefilled in one forward pass.</summary>
    public const int DefaultPrefillTokens = 8_192;

    /// <summary>Sequences decoded together; a finished one's slot is refilled from the waiting prompts.</summary>
    public int Slots { get; init; } = DefaultSlots;

    /// <summary>
    /// Key/value memory, in cached tokens over all slots. When slots × (longest prompt + response) fits,
    /// every slot gets that capacity; otherwise the budget is split into slabs of halving capacity
    /// (see <see cref="KvSlabPlan"/>) and a sequence moves up a slab when it outgrows its own, so one long
    /// response does not size every slot. 0 = no budget (always the one-slab layout).
    /// </summary>
    public long KvTokens { get; init; } = DefaultKvTokens;

    /// <summary>Upper bound on padded prompt tokens in one prefill forward pass (at least one prompt always goes).</summary>
    public int PrefillTokens { get; init; } = DefaultPrefillTokens;

    /// <summary>Prefill each prompt once for all its samples and copy its keys/values into their slots (false: once per sample; for benchmarks).</summary>
    public bool SharePrefill { get; init; } = true;

    public void Validate()
    {
        if (Slots <= 0) throw new ArgumentOutOfRangeException(nameof(Slots), Slots, "must be a positive number of sequences");
        if (KvTokens < 0) throw new ArgumentOutOfRangeException(nameof(KvTokens), KvTokens, "must be >= 0 tokens (0 = no budget)");
        if (PrefillTokens <= 0) throw new ArgumentOutOfRangeException(nameof(PrefillTokens), PrefillTokens, "must be a positive number of tokens");
    }
}

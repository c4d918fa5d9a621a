namespace Apo.Model.Inference;

/// <summary>How <see cref="Sampler.Generate"/> picks tokens.</summary>
public sealed record SamplingOptions
{
    /// <summary>Upper bound on generated tokens per sequence (EOS included).</summary>
    public int MaxNewTokens { get; init; } = 256;
    /// <summary>Softmax temperature; 0 means greedy.</summary>
    public double Temperature { get; init; } = 1.0;
    /// <summary>Nucleus mass; 1 disables the filter.</summary>
    public double TopP { get; init; } = 1.0;
    /// <summary>Keep only the k most likely tokens; 0 disables the filter.</summary>
    public int TopK { get; init; }
    /// <summary>Take the arg-max token (seeds are then irrelevant).</summary>
    public bool Greedy { get; init; }
    /// <summary>Tokens that end a sequence; null means the model config's EOS ids.</summary>
    public IReadOnlyList<int>? StopTokenIds { get; init; }
    /// <summary>Id fed for finished sequences (masked out, so any in-vocabulary id works); null means the first stop id, else 0.</summary>
    public int? PadTokenId { get; init; }

    /// <summary>Tokens a sequence may generate: its own limit when it has one, never more than <see cref="MaxNewTokens"/>.</summary>
    public int TokenLimit(int? sequenceLimit) => Math.Min(MaxNewTokens, sequenceLimit ?? int.MaxValue);

    /// <summary>True when tokens are chosen by arg-max.</summary>
    public bool IsGreedy => Greedy || Temperature == 0;

    public void Validate()
    {
        if (MaxNewTokens <= 0) throw new ArgumentOutOfRangeException(nameof(MaxNewTokens), MaxNewTokens, "must be positive");
        if (!(Temperature >= 0) || double.IsInfinity(Temperature)) throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "must be finite and >= 0");
        if (!(TopP > 0 && TopP <= 1)) throw new ArgumentOutOfRangeException(nameof(TopP), TopP, "must be in (0, 1]");
        if (TopK < 0) throw new ArgumentOutOfRangeException(nameof(TopK), TopK, "must be >= 0 (0 = off)");
    }
}

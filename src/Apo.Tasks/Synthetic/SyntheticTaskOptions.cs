namespace Apo.Tasks.Synthetic;

/// <summary>Settings of the synthetic arithmetic word-problem task.</summary>
public sealed record SyntheticTaskOptions
{
    /// <summary>Seed of the generator; the same options give byte-identical files.</summary>
    public ulong Seed { get; init; } = 20250526;

    /// <summary>Number of training problems.</summary>
    public int TrainCount { get; init; } = 5000;

    /// <summary>Number of held-out test problems.</summary>
    public int TestCount { get; init; } = 500;

    /// <summary>Fewest operations per problem (1..4).</summary>
    public int MinSteps { get; init; } = 1;

    /// <summary>Most operations per problem (1..4).</summary>
    public int MaxSteps { get; init; } = 3;

    /// <summary>Largest starting amount and largest number added or taken away.</summary>
    public int MaxOperand { get; init; } = 20;

    /// <summary>Largest multiplier for <see cref="ArithmeticOperation.Multiply"/> (at least 2).</summary>
    public int MaxMultiplier { get; init; } = 5;

    /// <summary>No intermediate or final amount exceeds this.</summary>
    public int MaxResult { get; init; } = 999;

    /// <summary>Operations steps may use.</summary>
    public IReadOnlyList<ArithmeticOperation> Operations { get; init; } =
        [ArithmeticOperation.Add, ArithmeticOperation.Subtract, ArithmeticOperation.Multiply];

    /// <summary>1–2 steps of + and − on numbers up to 20: learnable by a tiny model in minutes on CPU.</summary>
    public static SyntheticTaskOptions Tiny { get; } = new()
    {
        TrainCount = 2000, TestCount = 200, MinSteps = 1, MaxSteps = 2, MaxOperand = 20, MaxResult = 99,
        Operations = [ArithmeticOperation.Add, ArithmeticOperation.Subtract],
    };

    /// <summary>1–3 steps of +, − and × (the property defaults).</summary>
    public static SyntheticTaskOptions Default { get; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> describing the first invalid setting.</summary>
    public void Validate()
    {
        if (TrainCount < 1) throw new ArgumentException($"TrainCount must be at least 1, got {TrainCount}");
        if (TestCount < 1) throw new ArgumentException($"TestCount must be at least 1, got {TestCount}");
        if (MinSteps is < 1 or > 4) throw new ArgumentException($"MinSteps must be in 1..4, got {MinSteps}");
        if (MaxSteps is < 1 or > 4 || MaxSteps < MinSteps) throw new ArgumentException($"MaxSteps must be in {MinSteps}..4, got {MaxSteps}");
        if (MaxOperand < 2) throw new ArgumentException($"MaxOperand must be at least 2, got {MaxOperand}");
        if (MaxMultiplier < 2) throw new ArgumentException($"MaxMultiplier must be at least 2, got {MaxMultiplier}");
        if (MaxResult < MaxOperand * 2) throw new ArgumentException($"MaxResult must be at least 2 × MaxOperand ({MaxOperand * 2}), got {MaxResult}");
        if (Operations is null || Operations.Count == 0) throw new ArgumentException("Operations must name at least one operation");
        if (Operations.Any(o => !Enum.IsDefined(o))) throw new ArgumentException("Operations contains an unknown operation");
    }
}

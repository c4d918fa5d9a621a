namespace Apo.Grains.Training;

/// <summary>Silo-level settings of the trainer (how it reaches generators), as opposed to the run's plan.</summary>
public sealed class TrainerOptions
{
    /// <summary>Generator grains 0..Generators−1 share each batch.</summary>
    public int Generators { get; set; } = 1;

    /// <summary>How long to wait for a batch's rollouts before asking again for the missing ones.</summary>
    public TimeSpan RolloutTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Requests per batch (first one included) before the trainer fails.</summary>
    public int MaxRolloutAttempts { get; set; } = 5;

    /// <summary>Throws naming the first setting out of range.</summary>
    public void Validate()
    {
        if (Generators < 1) throw new ArgumentOutOfRangeException(nameof(Generators), Generators, "at least one generator is needed");
        if (RolloutTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(RolloutTimeout), RolloutTimeout, "must be positive");
        if (MaxRolloutAttempts < 1) throw new ArgumentOutOfRangeException(nameof(MaxRolloutAttempts), MaxRolloutAttempts, "must be ≥ 1");
    }
}

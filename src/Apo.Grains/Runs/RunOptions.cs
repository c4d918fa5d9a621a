namespace Apo.Grains.Runs;

/// <summary>How a RunGrain drives its run on this cluster (bind from configuration or set in code).</summary>
public sealed class RunOptions
{
    /// <summary>Generator grains 0..G−1 that stage-1 work units are spread over (one replica each).</summary>
    public int Generators { get; set; } = 1;

    /// <summary>Attempts per stage-1 work unit, each on the next generator, before the run fails.</summary>
    public int AttemptsPerWorkUnit { get; set; } = 3;

    /// <summary>How often the trainer's status is polled during stage 2.</summary>
    public TimeSpan TrainerPollInterval { get; set; } = TimeSpan.FromSeconds(2);
}

namespace Apo.Grains.Runs;

/// <summary>How a RunGrain drives its run on this cluster (bind from configuration or set in code).</summary>
public sealed class RunOptions
{
    /// <summary>Generator grains 0..G−1 that stage-1 work units are spread over (one replica each).</summary>
    public int Generators { get; set; } = 1;

    /// <summary>Attempts per stage-1 work unit, each on the next generator, before the run fails.</summary>
    public int AttemptsPerWorkUnit { get; set; } = 5;

    /// <summary>
    /// Pause before the first retry of a failed work unit; the k-th retry waits k times as long. The default
    /// (5 attempts, 5 s) waits 50 s in all, covering Orleans' default detection of a dead silo.
    /// </summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often the trainer's status is polled during stage 2. The run's stage-2 time ends at the first
    /// poll after the trainer finished, so this is also that time's resolution (a cheap in-memory call).
    /// </summary>
    public TimeSpan TrainerPollInterval { get; set; } = TimeSpan.FromMilliseconds(200);
}

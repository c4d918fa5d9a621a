namespace Apo.Grains.Runs;

/// <summary>How a RunGrain drives its run on this cluster (bind from configuration or set in code).</summary>
public sealed class RunOptions
{
    /// <summary>
    /// How often the trainer's status is polled during stage 2. The run's stage-2 time ends at the first
    /// poll after the trainer finished, so this is also that time's resolution (a cheap in-memory call).
    /// </summary>
    public TimeSpan TrainerPollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Period of the reminder that wakes a run whose activation was lost (its silo died or shut down) so it
    /// resumes with no client watching. Orleans' smallest reminder period is one minute by default.
    /// </summary>
    public TimeSpan WakePeriod { get; set; } = TimeSpan.FromMinutes(1);
}

namespace Apo.Grains.Dispatch;

/// <summary>
/// How the generator pool hands out work, for stage 1 and stage 2 alike (bind from configuration or set in
/// code). The defaults retry a unit for about a minute (1 + 2 + 4 + 8 + 16 + 30 s), which covers Orleans'
/// default detection of a dead silo (15–30 s).
/// </summary>
public sealed class DispatchOptions
{
    /// <summary>
    /// Calls in flight per generator. Two keep its device busy: while one unit writes its records to storage
    /// (or travels back), the next one is already sampling.
    /// </summary>
    public int InFlightPerGenerator { get; set; } = 2;

    /// <summary>Attempts per unit of work, each preferably on another generator, before the run fails.</summary>
    public int MaxAttempts { get; set; } = 7;

    /// <summary>Pause before the first retry of a unit, doubled after each further failure up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest pause between two attempts of a unit (and the longest a failing generator is benched).</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A call still running after this long is cancelled and its unit handed to another generator.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How often membership is read again while calls run (a new silo takes work within about this long).</summary>
    public TimeSpan MembershipPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long work may wait with no live generator at all before the run fails, naming the cause.</summary>
    public TimeSpan NoGeneratorTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The pause after a unit's <paramref name="failures"/>-th failure: exponential, capped.</summary>
    public TimeSpan RetryDelay(int failures)
    {
        double factor = Math.Pow(2, Math.Clamp(failures - 1, 0, 30));
        return TimeSpan.FromTicks((long)Math.Min(FirstRetryDelay.Ticks * factor, MaxRetryDelay.Ticks));
    }

    /// <summary>Throws naming the first setting out of range.</summary>
    public void Validate()
    {
        if (InFlightPerGenerator < 1) throw new ArgumentOutOfRangeException(nameof(InFlightPerGenerator), InFlightPerGenerator, "must be ≥ 1");
        if (MaxAttempts < 1) throw new ArgumentOutOfRangeException(nameof(MaxAttempts), MaxAttempts, "must be ≥ 1");
        if (FirstRetryDelay < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(FirstRetryDelay), FirstRetryDelay, "must be ≥ 0");
        if (MaxRetryDelay < FirstRetryDelay) throw new ArgumentOutOfRangeException(nameof(MaxRetryDelay), MaxRetryDelay, "must be ≥ the first retry delay");
        if (CallTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(CallTimeout), CallTimeout, "must be positive");
        if (MembershipPollInterval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(MembershipPollInterval), MembershipPollInterval, "must be positive");
        if (NoGeneratorTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(NoGeneratorTimeout), NoGeneratorTimeout, "must be positive");
    }
}

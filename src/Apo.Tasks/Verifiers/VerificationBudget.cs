using System.Diagnostics;

namespace Apo.Tasks.Verifiers;

/// <summary>
/// A cooperative time limit for one verification: the verifier calls <see cref="Tick"/> in its
/// loops (cheap) or <see cref="ThrowIfExpired"/> between steps, and gets a
/// <see cref="VerificationTimeoutException"/> once the limit has passed. No signals, no threads.
/// One instance serves one item on one thread.
/// </summary>
public sealed class VerificationBudget
{
    // Reading the clock costs ~20 ns; checking every 1024 ticks keeps the overhead invisible
    // while bounding the overshoot to ~1024 cheap loop iterations.
    private const int TicksPerClockRead = 1024;

    private readonly long _startTimestamp;
    private readonly long _limitTimestampTicks;
    private int _ticks;

    private VerificationBudget(TimeSpan limit)
    {
        Limit = limit;
        _startTimestamp = Stopwatch.GetTimestamp();
        _limitTimestampTicks = limit == Timeout.InfiniteTimeSpan
            ? long.MaxValue
            : (long)(limit.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>A budget that never expires (plain <c>Verify</c> calls use it).</summary>
    public static VerificationBudget Unlimited => new(Timeout.InfiniteTimeSpan);

    /// <summary>Starts the clock now; <paramref name="limit"/> must be positive or infinite.</summary>
    public static VerificationBudget Start(TimeSpan limit)
    {
        if (limit <= TimeSpan.Zero && limit != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "time limit must be positive");
        return new VerificationBudget(limit);
    }

    /// <summary>The limit this budget was started with.</summary>
    public TimeSpan Limit { get; }

    /// <summary>Time since the budget was started.</summary>
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_startTimestamp);

    /// <summary>True once the limit has passed.</summary>
    public bool IsExpired => Stopwatch.GetTimestamp() - _startTimestamp > _limitTimestampTicks;

    /// <summary>Throws <see cref="VerificationTimeoutException"/> if the limit has passed.</summary>
    public void ThrowIfExpired()
    {
        if (IsExpired)
            throw new VerificationTimeoutException(Limit, Elapsed);
    }

    /// <summary>Call once per loop iteration; reads the clock only every 1024 calls.</summary>
    public void Tick()
    {
        if (++_ticks % TicksPerClockRead == 0) ThrowIfExpired();
    }
}

/// <summary>Thrown by <see cref="VerificationBudget"/> when a verification ran out of time.</summary>
public sealed class VerificationTimeoutException(TimeSpan limit, TimeSpan elapsed)
    : Exception($"verification ran {elapsed.TotalMilliseconds:F0} ms, over its {limit.TotalMilliseconds:F0} ms budget")
{
    public TimeSpan Limit { get; } = limit;
    public TimeSpan Elapsed { get; } = elapsed;
}

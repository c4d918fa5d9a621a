namespace Apo.Tasks.Verifiers;

/// <summary>
/// Thread-safe counters of verification outcomes, for the pipeline's metrics.
/// Every recorded result counts once in <see cref="VerifierStatsSnapshot.Scored"/> and once in
/// exactly one of: correct, wrong, unparseable, invalid ground truth, too large, timed out, crashed.
/// </summary>
public sealed class VerifierStats
{
    private long _scored, _correct, _wrong, _unparseable, _invalidGroundTruth, _tooLarge, _timedOut, _crashed;

    /// <summary>Counts one result.</summary>
    public void Record(VerifyResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Interlocked.Increment(ref _scored);
        switch (result.Kind)
        {
            case VerifyFailureKind.None when result.IsCorrect: Interlocked.Increment(ref _correct); break;
            case VerifyFailureKind.None: Interlocked.Increment(ref _wrong); break;
            case VerifyFailureKind.Unparseable: Interlocked.Increment(ref _unparseable); break;
            case VerifyFailureKind.InvalidGroundTruth: Interlocked.Increment(ref _invalidGroundTruth); break;
            case VerifyFailureKind.TooLarge: Interlocked.Increment(ref _tooLarge); break;
            case VerifyFailureKind.TimedOut: Interlocked.Increment(ref _timedOut); break;
            case VerifyFailureKind.Crashed: Interlocked.Increment(ref _crashed); break;
            default: throw new ArgumentOutOfRangeException(nameof(result), result.Kind, "unknown failure kind");
        }
    }

    /// <summary>A consistent-enough copy of the counters (each read is atomic).</summary>
    public VerifierStatsSnapshot Snapshot() => new(
        Interlocked.Read(ref _scored), Interlocked.Read(ref _correct), Interlocked.Read(ref _wrong),
        Interlocked.Read(ref _unparseable), Interlocked.Read(ref _invalidGroundTruth),
        Interlocked.Read(ref _tooLarge), Interlocked.Read(ref _timedOut), Interlocked.Read(ref _crashed));

    /// <summary>Adds another set of counters (e.g. from another silo) into this one.</summary>
    public void Add(VerifierStatsSnapshot other)
    {
        Interlocked.Add(ref _scored, other.Scored);
        Interlocked.Add(ref _correct, other.Correct);
        Interlocked.Add(ref _wrong, other.Wrong);
        Interlocked.Add(ref _unparseable, other.Unparseable);
        Interlocked.Add(ref _invalidGroundTruth, other.InvalidGroundTruth);
        Interlocked.Add(ref _tooLarge, other.TooLarge);
        Interlocked.Add(ref _timedOut, other.TimedOut);
        Interlocked.Add(ref _crashed, other.Crashed);
    }
}

/// <summary>Counts of verification outcomes at one moment.</summary>
public sealed record VerifierStatsSnapshot(
    long Scored, long Correct, long Wrong, long Unparseable, long InvalidGroundTruth,
    long TooLarge, long TimedOut, long Crashed)
{
    /// <summary>Results with no judgement (all failure kinds).</summary>
    public long Failed => Unparseable + InvalidGroundTruth + TooLarge + TimedOut + Crashed;

    /// <summary>Correct / Scored, or 0 when nothing was scored.</summary>
    public double CorrectRate => Scored == 0 ? 0 : (double)Correct / Scored;

    /// <summary>Failed / Scored, or 0 when nothing was scored.</summary>
    public double FailureRate => Scored == 0 ? 0 : (double)Failed / Scored;

    /// <summary>Flat metric names for logs and dashboards, e.g. "verifier/timed_out".</summary>
    public IReadOnlyDictionary<string, double> ToMetrics(string prefix = "verifier/") => new Dictionary<string, double>
    {
        [prefix + "scored"] = Scored,
        [prefix + "correct"] = Correct,
        [prefix + "wrong"] = Wrong,
        [prefix + "unparseable"] = Unparseable,
        [prefix + "invalid_ground_truth"] = InvalidGroundTruth,
        [prefix + "too_large"] = TooLarge,
        [prefix + "timed_out"] = TimedOut,
        [prefix + "crashed"] = Crashed,
        [prefix + "correct_rate"] = CorrectRate,
        [prefix + "failure_rate"] = FailureRate,
    };
}

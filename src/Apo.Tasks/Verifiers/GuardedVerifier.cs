namespace Apo.Tasks.Verifiers;

/// <summary>
/// Wraps any verifier so that no input can hang or crash the pipeline: inputs over the size caps
/// are rejected unread, the inner verifier runs under a cooperative <see cref="VerificationBudget"/>,
/// and exceptions or timeouts become failure results (score 0, reason kept). Every result is
/// recorded in <see cref="Stats"/>. Thread-safe when the inner verifier is.
/// </summary>
public sealed class GuardedVerifier : IVerifier
{
    private readonly IVerifier _inner;

    public GuardedVerifier(IVerifier inner, VerifierLimits? limits = null, VerifierStats? stats = null)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        Limits = limits ?? VerifierLimits.Default;
        if (Limits.MaxResponseChars < 0 || Limits.MaxGroundTruthChars < 0)
            throw new ArgumentOutOfRangeException(nameof(limits), "character caps must not be negative");
        if (Limits.TimeLimit <= TimeSpan.Zero && Limits.TimeLimit != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(limits), "time limit must be positive");
        Stats = stats ?? new VerifierStats();
    }

    /// <summary>The wrapped verifier.</summary>
    public IVerifier Inner => _inner;

    /// <summary>The caps and time budget applied to every item.</summary>
    public VerifierLimits Limits { get; }

    /// <summary>Counters of every result this guard returned.</summary>
    public VerifierStats Stats { get; }

    public string Name => _inner.Name;

    public VerifyResult Verify(string response, string groundTruth) =>
        Verify(response, groundTruth, VerificationBudget.Start(Limits.TimeLimit));

    public VerifyResult Verify(string response, string groundTruth, VerificationBudget budget)
    {
        var result = Run(response, groundTruth, budget);
        Stats.Record(result);
        return result;
    }

    private VerifyResult Run(string? response, string? groundTruth, VerificationBudget budget)
    {
        if (groundTruth is null)
            return VerifyResult.Failed(VerifyFailureKind.InvalidGroundTruth, "ground truth is null");
        if (groundTruth.Length > Limits.MaxGroundTruthChars)
            return VerifyResult.Failed(VerifyFailureKind.InvalidGroundTruth,
                $"ground truth has {groundTruth.Length} characters, over the cap of {Limits.MaxGroundTruthChars}");
        if (response is null)
            return VerifyResult.Failed(VerifyFailureKind.Unparseable, "response is null");
        if (response.Length > Limits.MaxResponseChars)
            return VerifyResult.Failed(VerifyFailureKind.TooLarge,
                $"response has {response.Length} characters, over the cap of {Limits.MaxResponseChars}");

        VerifyResult? result;
        try
        {
            result = _inner.Verify(response, groundTruth, budget);
        }
        catch (VerificationTimeoutException e)
        {
            return VerifyResult.Failed(VerifyFailureKind.TimedOut, e.Message);
        }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException e)
        {
            return VerifyResult.Failed(VerifyFailureKind.TimedOut,
                $"regular expression ran past its {e.MatchTimeout.TotalMilliseconds:F0} ms timeout");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return VerifyResult.Failed(VerifyFailureKind.Crashed, $"{_inner.Name} verifier threw {e.GetType().Name}: {e.Message}");
        }
        return Sanitize(result);
    }

    /// <summary>Enforces the result contract on verifiers we did not write.</summary>
    private VerifyResult Sanitize(VerifyResult? result)
    {
        if (result is null)
            return VerifyResult.Failed(VerifyFailureKind.Crashed, $"{_inner.Name} verifier returned no result");
        if (double.IsNaN(result.Score) || result.Score < 0 || result.Score > 1)
            return VerifyResult.Failed(VerifyFailureKind.Crashed,
                $"{_inner.Name} verifier returned score {result.Score}, outside [0, 1]", result.Extracted);
        if (!result.IsJudged && result.Score != 0)
            return result with { Score = 0 }; // a failure is never rewarded
        return result;
    }
}

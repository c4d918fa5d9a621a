namespace Apo.Algorithm.OptimalValues;

/// <summary>
/// Stage 1 of A*-PO: the estimate of the optimal value V*(x) from N reference samples,
/// V̂* = β1 · log( (1/N) Σ exp(r_i / β1) ).
/// </summary>
public static class OptimalValue
{
    /// <summary>Default number of reference samples per prompt (paper).</summary>
    public const int DefaultSamples = 8;

    /// <summary>Default β1 (paper).</summary>
    public const double DefaultBeta1 = 0.5;

    /// <summary>
    /// V̂* = β1·(logsumexp(r/β1) − log N), computed in double without overflow for any β1 > 0.
    /// β1 = 0 returns the plain mean, as the authors' code does (note: the mathematical limit
    /// β1 → 0⁺ is the maximum, pass@N; β1 = 0 is a convention, not that limit).
    /// β1 = +∞ returns the mean (the limit).
    /// </summary>
    /// <exception cref="ArgumentNullException">rewards is null.</exception>
    /// <exception cref="ArgumentException">rewards is empty or holds NaN/∞, or β1 is negative or NaN.</exception>
    public static double Estimate(IReadOnlyList<double> rewards, double beta1)
    {
        ArgumentNullException.ThrowIfNull(rewards);
        if (rewards.Count == 0)
            throw new ArgumentException("V̂* needs at least one stage-1 reward; the list is empty.", nameof(rewards));
        for (var i = 0; i < rewards.Count; i++)
        {
            if (!double.IsFinite(rewards[i]))
                throw new ArgumentException($"stage-1 reward {i} is {rewards[i]}; rewards must be finite numbers.", nameof(rewards));
        }
        if (double.IsNaN(beta1) || beta1 < 0)
            throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "β1 must be ≥ 0 (0 means the plain mean).");

        if (beta1 == 0 || double.IsPositiveInfinity(beta1)) return Mean(rewards);

        // Shift by the maximum so every exponent is ≤ 0: nothing overflows, and the largest term is 1.
        // V̂* = rmax + β1 · log( (1/N) Σ exp((r_i − rmax)/β1) )
        //     = rmax + β1 · log1p( (1/N) Σ expm1((r_i − rmax)/β1) )
        // The expm1/log1p form keeps the digits when β1 is large and every exponent is tiny.
        var max = double.NegativeInfinity;
        for (var i = 0; i < rewards.Count; i++) max = Math.Max(max, rewards[i]);

        var sum = 0.0;
        for (var i = 0; i < rewards.Count; i++) sum += StableMath.ExpM1((rewards[i] - max) / beta1);
        var meanExpM1 = sum / rewards.Count;   // in (−1, 0]: the max term contributes 0
        return max + beta1 * StableMath.LogP1(meanExpM1);
    }

    private static double Mean(IReadOnlyList<double> rewards)
    {
        var sum = 0.0;
        for (var i = 0; i < rewards.Count; i++) sum += rewards[i];
        return sum / rewards.Count;
    }
}

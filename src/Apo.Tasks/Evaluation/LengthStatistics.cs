namespace Apo.Tasks.Evaluation;

/// <summary>
/// Response-length summary in tokens. Percentiles use linear interpolation between order
/// statistics (position (n−1)·p, the usual "type 7" definition, numpy's default).
/// </summary>
public sealed record LengthStatistics(int Count, double Mean, double Median, double P90, int Max)
{
    /// <summary>Summary of <paramref name="lengths"/> (non-empty, non-negative).</summary>
    public static LengthStatistics Of(IReadOnlyList<int> lengths)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        if (lengths.Count == 0) throw new ArgumentException("no lengths", nameof(lengths));
        var sorted = lengths.ToArray();
        for (int i = 0; i < sorted.Length; i++)
            if (sorted[i] < 0) throw new ArgumentException($"length {sorted[i]} at index {i} is negative", nameof(lengths));
        Array.Sort(sorted);
        double mean = sorted.Sum(x => (double)x) / sorted.Length;
        return new LengthStatistics(sorted.Length, mean, Percentile(sorted, 0.5), Percentile(sorted, 0.9), sorted[^1]);
    }

    /// <summary>Linear-interpolation percentile of already sorted values, p in [0, 1].</summary>
    public static double Percentile(IReadOnlyList<int> sorted, double p)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0) throw new ArgumentException("no values", nameof(sorted));
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "percentile must be in [0, 1]");
        double position = (sorted.Count - 1) * p;
        int lower = (int)Math.Floor(position);
        int upper = Math.Min(lower + 1, sorted.Count - 1);
        double fraction = position - lower;
        return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction;
    }

    /// <summary>
    /// Fraction of responses cut off by the generation limit: no EOS and
    /// <paramref name="maxNewTokens"/> tokens generated.
    /// </summary>
    /// <exception cref="ArgumentException">Mismatched list lengths, a length over the limit
    /// (a sign that prompt tokens were counted too), or a non-positive limit.</exception>
    public static double TruncationRate(IReadOnlyList<int> lengths, IReadOnlyList<bool> endedWithEos, int maxNewTokens)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        ArgumentNullException.ThrowIfNull(endedWithEos);
        if (maxNewTokens < 1) throw new ArgumentOutOfRangeException(nameof(maxNewTokens), maxNewTokens, "must be ≥ 1");
        if (lengths.Count == 0) throw new ArgumentException("no responses", nameof(lengths));
        if (lengths.Count != endedWithEos.Count)
            throw new ArgumentException($"{lengths.Count} lengths but {endedWithEos.Count} EOS flags", nameof(endedWithEos));
        int truncated = 0;
        for (int i = 0; i < lengths.Count; i++)
        {
            if (lengths[i] < 0 || lengths[i] > maxNewTokens)
                throw new ArgumentException(
                    $"response {i} has {lengths[i]} tokens, outside [0, max-new-tokens = {maxNewTokens}]", nameof(lengths));
            if (!endedWithEos[i] && lengths[i] == maxNewTokens) truncated++;
        }
        return (double)truncated / lengths.Count;
    }
}

namespace Apo.Tasks.Evaluation;

/// <summary>
/// Unbiased pass@k (Chen et al. 2021): the probability that at least one of k samples drawn
/// without replacement from n generated samples, c of them correct, is correct:
/// 1 − C(n−c, k) / C(n, k).
/// </summary>
public static class PassAtK
{
    /// <summary>
    /// pass@k for one prompt. Computed as 1 − Π_{i=n−c+1..n} (1 − k/i), which equals the binomial
    /// ratio without forming any binomial coefficient, so it stays exact-ish and finite for any n.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Unless 1 ≤ k ≤ n and 0 ≤ c ≤ n.</exception>
    public static double Estimate(int n, int c, int k)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "need at least one sample (n ≥ 1)");
        if (c < 0 || c > n) throw new ArgumentOutOfRangeException(nameof(c), c, $"correct count must be in [0, n = {n}]");
        if (k < 1 || k > n) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be in [1, n = {n}]");
        // Fewer wrong samples than k: every k-subset contains a correct one.
        if (n - c < k) return 1.0;
        double allWrong = 1.0;
        for (int i = n - c + 1; i <= n; i++)
            allWrong *= 1.0 - (double)k / i;
        return 1.0 - allWrong;
    }
}

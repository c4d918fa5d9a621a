namespace Apo.Model.Diagnostics;

/// <summary>The median the benchmarks report (the mean of the middle two for an even count).</summary>
static class Medians
{
    public static double Of(IReadOnlyCollection<double> values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        if (n == 0) throw new ArgumentException("no values", nameof(values));
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}

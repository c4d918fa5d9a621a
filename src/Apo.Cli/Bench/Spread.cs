using System.Text.Json.Serialization;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.Statistics;

namespace Apo.Cli.Bench;

/// <summary>
/// One figure over seeds: every seed's value, their mean and sample standard deviation, and the 95%
/// Student-t interval of the mean (mean ± t(0.975, n−1)·sd/√n). One seed has no spread: sd and the
/// interval are NaN, so a one-seed figure is never shown as certain.
/// </summary>
public sealed record Spread(
    [property: JsonPropertyName("mean")] double Mean,
    [property: JsonPropertyName("sd")] double StandardDeviation,
    [property: JsonPropertyName("ci95_low")] double Low,
    [property: JsonPropertyName("ci95_high")] double High,
    [property: JsonPropertyName("values")] IReadOnlyList<double> Values)
{
    public static Spread Of(IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("a spread needs at least one value", nameof(values));
        double mean = values.Mean();
        if (values.Count == 1) return new Spread(mean, double.NaN, double.NaN, double.NaN, values);
        double sd = values.StandardDeviation();
        double half = StudentT.InvCDF(0, 1, values.Count - 1, 0.975) * sd / Math.Sqrt(values.Count);
        return new Spread(mean, sd, mean - half, mean + half, values);
    }

    /// <summary>Whether the 95% interval leaves out zero (a paired difference whose sign the seeds settle).</summary>
    [JsonIgnore]
    public bool ExcludesZero => Low > 0 || High < 0;
}

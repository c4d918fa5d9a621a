using System.Globalization;

namespace Apo.Deploy.Tests.Manifests;

/// <summary>Kubernetes resource quantities (<c>48Gi</c>, <c>500M</c>, <c>100m</c>, <c>2</c>) as numbers.</summary>
public static class Quantity
{
    private static readonly (string Suffix, decimal Factor)[] Suffixes =
    [
        ("Ki", 1024m), ("Mi", 1024m * 1024), ("Gi", 1024m * 1024 * 1024), ("Ti", 1024m * 1024 * 1024 * 1024),
        ("Pi", 1024m * 1024 * 1024 * 1024 * 1024), ("Ei", 1024m * 1024 * 1024 * 1024 * 1024 * 1024),
        ("k", 1e3m), ("M", 1e6m), ("G", 1e9m), ("T", 1e12m), ("P", 1e15m), ("E", 1e18m), ("m", 1e-3m),
    ];

    /// <summary>The value of <paramref name="text"/>, or null when it is absent or not a quantity.</summary>
    public static decimal? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        text = text.Trim();
        foreach (var (suffix, factor) in Suffixes)
            if (text.EndsWith(suffix, StringComparison.Ordinal) &&
                decimal.TryParse(text[..^suffix.Length], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
                return n * factor;
        return decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var plain)
            ? plain : null;
    }

    /// <summary>Bytes as GiB for messages.</summary>
    public static string Gi(decimal bytes) => $"{bytes / (1024m * 1024 * 1024):0.##}Gi";
}

using System.Globalization;

namespace Apo.Cli.Bench;

/// <summary>`--seeds`: a count (5 means seeds 1..5) or a comma-separated list (1,2,3), each seed once.</summary>
public static class SeedList
{
    /// <summary>Where a multi-seed bench or an ablation keeps one seed's reference and runs.</summary>
    public static string Directory(string root, long seed) => Path.Combine(root, $"seed-{seed.ToString(CultureInfo.InvariantCulture)}");

    public static IReadOnlyList<long> Parse(string text, string option = "--seeds")
    {
        var items = text.Split(',', StringSplitOptions.TrimEntries);
        if (items.Length == 1)
        {
            if (!int.TryParse(items[0], NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count < 1 || count > 1000)
                throw new UsageException($"{option}: \"{text}\" is neither a count of seeds (1..1000) nor a list such as 1,2,3");
            return [.. Enumerable.Range(1, count).Select(i => (long)i)];
        }
        var seeds = new List<long>();
        foreach (var item in items)
        {
            if (!long.TryParse(item, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long seed))
                throw new UsageException($"{option}: \"{item}\" is not a seed (an integer) in \"{text}\"");
            if (seeds.Contains(seed)) throw new UsageException($"{option}: seed {seed} is listed twice in \"{text}\"");
            seeds.Add(seed);
        }
        return seeds;
    }
}

namespace Apo.Common.Batching;

/// <summary>
/// Packs sequences into forward passes by a budget of padded tokens (verl's dynamic batch size,
/// <c>ppo_max_token_len_per_gpu</c>): a pass of n rows whose longest row has L tokens costs n·L, since
/// every row is padded to L. Used by every learner, by reference and old-log-prob scoring and by SFT,
/// so one setting bounds the memory of all of them.
/// </summary>
public static class TokenBudget
{
    /// <summary>A budget that never splits: every item in one pass.</summary>
    public const int Unlimited = 0;

    /// <summary>
    /// Splits <paramref name="items"/> (indices into <paramref name="lengths"/>) into passes of whole units of
    /// <paramref name="unitSize"/> consecutive items (a prompt's group of responses stays together), each
    /// costing at most <paramref name="maxTokens"/> padded tokens. When everything fits (or the budget is
    /// <see cref="Unlimited"/>) the result is one pass in the given order, so a run whose batches fit is
    /// computed exactly as without a budget. Otherwise units are sorted by length (longest first; ties by
    /// position, so the plan depends on the lengths alone) and filled greedily, which keeps rows of similar
    /// length together and cuts padding. A unit longer than the budget gets a pass of its own.
    /// </summary>
    public static IReadOnlyList<int[]> Pack(IReadOnlyList<int> items, IReadOnlyList<int> lengths, int maxTokens, int unitSize = 1)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(lengths);
        if (maxTokens < 0) throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens, "must be ≥ 0 (0 = unlimited)");
        if (unitSize < 1) throw new ArgumentOutOfRangeException(nameof(unitSize), unitSize, "must be ≥ 1");
        if (items.Count % unitSize != 0)
            throw new ArgumentException($"{items.Count} items do not form whole units of {unitSize}", nameof(items));
        if (items.Count == 0) return [];
        if (maxTokens == Unlimited || Cost(items, lengths) <= maxTokens) return [items.ToArray()];

        var units = Enumerable.Range(0, items.Count / unitSize)
            .Select(u => Enumerable.Range(u * unitSize, unitSize).Select(i => items[i]).ToArray())
            .Select((members, position) => (Members: members, Longest: members.Max(i => lengths[i]), Position: position))
            .OrderByDescending(u => u.Longest).ThenBy(u => u.Position)
            .ToList();
        var passes = new List<int[]>();
        var current = new List<int>();
        int currentLongest = 0;
        foreach (var unit in units)
        {
            int longest = Math.Max(currentLongest, unit.Longest);
            if (current.Count > 0 && (long)(current.Count + unit.Members.Length) * longest > maxTokens)
            {
                passes.Add(current.ToArray());
                current.Clear();
                longest = unit.Longest;
            }
            current.AddRange(unit.Members);
            currentLongest = longest;
        }
        passes.Add(current.ToArray());
        return passes;
    }

    /// <summary>Padded tokens of one pass over <paramref name="items"/>: rows × the longest row.</summary>
    public static long Cost(IReadOnlyCollection<int> items, IReadOnlyList<int> lengths) =>
        items.Count == 0 ? 0 : (long)items.Count * items.Max(i => lengths[i]);
}

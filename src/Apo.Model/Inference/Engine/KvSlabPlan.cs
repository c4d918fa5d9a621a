namespace Apo.Model.Inference;

/// <summary>One slab of the slot cache: <paramref name="Rows"/> sequences of up to <paramref name="Capacity"/> cached tokens each.</summary>
public readonly record struct KvSlab(int Rows, int Capacity);

/// <summary>
/// How a KV budget in tokens becomes slabs (a size-class allocator). When every slot can hold the
/// longest sequence within the budget there is one slab, slots × longest. Otherwise capacities halve
/// from the longest down to the shortest useful one (at most <see cref="MaxSlabs"/>), each slab gets
/// an equal share of the budget (at least one row, at most a row per slot), and a sequence starts in
/// the smallest slab that holds its prompt and moves up when it outgrows it: memory follows the
/// lengths actually reached, and the long tail of responses occupies few long rows. Pure arithmetic
/// on the inputs, so the schedule it leads to is repeatable.
/// </summary>
public sealed record KvSlabPlan(IReadOnlyList<KvSlab> Slabs)
{
    public const int MaxSlabs = 6;

    /// <summary>Response tokens the smallest slab leaves room for beyond the shortest prompt.</summary>
    public const int MinimumResponseRoom = 16;

    /// <summary>Cached tokens of all slabs together.</summary>
    public long Tokens => Slabs.Sum(s => (long)s.Rows * s.Capacity);

    /// <param name="slots">Decode slots.</param>
    /// <param name="longest">Most tokens one sequence caches (prompt + response − 1).</param>
    /// <param name="shortestPrompt">Tokens of the shortest prompt: no slab is smaller than it plus <see cref="MinimumResponseRoom"/>.</param>
    /// <param name="budget">KV tokens available; 0 = no budget.</param>
    public static KvSlabPlan For(int slots, int longest, int shortestPrompt, long budget)
    {
        if (slots <= 0 || longest <= 0) throw new ArgumentOutOfRangeException(nameof(longest), "slots and the longest sequence must be positive");
        if (budget <= 0 || (long)slots * longest <= budget) return new KvSlabPlan([new KvSlab(slots, longest)]);
        if (longest > budget)
            throw new ArgumentException($"one sequence caches up to {longest} tokens (prompt + max new tokens), more than the KV budget of {budget} tokens; raise the budget or lower max new tokens", nameof(budget));
        var capacities = new List<int> { longest };
        while (capacities.Count < MaxSlabs)
        {
            int next = (capacities[^1] + 1) / 2;
            if (next < shortestPrompt + MinimumResponseRoom) break;
            capacities.Add(next);
        }
        long share = budget / capacities.Count;
        var slabs = capacities
            .Select(c => new KvSlab((int)Math.Clamp(share / c, 1, slots), c))
            .OrderBy(s => s.Capacity)
            .ToList();
        return new KvSlabPlan(slabs);
    }
}

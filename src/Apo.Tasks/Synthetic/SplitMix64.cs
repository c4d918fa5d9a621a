namespace Apo.Tasks.Synthetic;

/// <summary>
/// SplitMix64 (Steele, Lea &amp; Flood 2014; Vigna's reference C code). Our own generator because
/// System.Random's seeded sequence is not promised to stay the same across .NET versions, and
/// the synthetic dataset must be byte-identical for a seed everywhere.
/// </summary>
public sealed class SplitMix64(ulong seed)
{
    private ulong _state = seed;

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A uniform integer in [<paramref name="minInclusive"/>, <paramref name="maxInclusive"/>], without modulo bias.</summary>
    public int NextInt(int minInclusive, int maxInclusive)
    {
        if (maxInclusive < minInclusive) throw new ArgumentOutOfRangeException(nameof(maxInclusive), $"empty range [{minInclusive}, {maxInclusive}]");
        var range = (ulong)((long)maxInclusive - minInclusive) + 1;
        // Reject the lowest 2^64 mod range values so every residue is equally likely.
        var threshold = (0UL - range) % range;
        ulong x;
        do x = NextUInt64(); while (x < threshold);
        return (int)(minInclusive + (long)(x % range));
    }

    /// <summary>A uniformly chosen element.</summary>
    public T Pick<T>(IReadOnlyList<T> items) => items[NextInt(0, items.Count - 1)];
}

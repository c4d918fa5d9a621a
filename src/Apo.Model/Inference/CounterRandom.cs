namespace Apo.Model.Inference;

/// <summary>
/// Counter-based randomness: the uniform for (seed, step) is a pure hash (SplitMix64 finaliser), so a
/// sequence's draws depend only on its own seed and step — not on batch composition, batch order, or
/// how many draws other sequences made. That makes sampled work units resumable and redistributable.
/// </summary>
public static class CounterRandom
{
    /// <summary>A double in [0, 1) determined by (<paramref name="seed"/>, <paramref name="step"/>).</summary>
    public static double Uniform(long seed, long step)
    {
        ulong bits = Mix(Mix((ulong)seed) ^ (ulong)step);
        return (bits >> 11) * (1.0 / (1UL << 53));
    }

    static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

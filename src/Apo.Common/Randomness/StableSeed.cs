using System.Text;

namespace Apo.Common.Randomness;

/// <summary>
/// Seeds derived from a run seed and the identity of a piece of work (a prompt id, a sample index,
/// a phase), never from its position in a batch or the order work happens to run in. That is what
/// lets a killed run resume, or a work unit move to another silo, and still draw the same samples.
/// .NET's string hash is randomised per process, so this uses FNV-1a and a SplitMix64 finaliser.
/// </summary>
public static class StableSeed
{
    public static long Derive(long seed, string purpose, string key, long index = 0)
    {
        ulong h = Mix((ulong)seed);
        h = Mix(h ^ Fnv1a(purpose));
        h = Mix(h ^ Fnv1a(key));
        h = Mix(h ^ (ulong)index);
        return (long)(h & long.MaxValue);
    }

    public static ulong Fnv1a(string text)
    {
        ulong hash = 14695981039346656037UL;
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }
        return hash;
    }

    static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

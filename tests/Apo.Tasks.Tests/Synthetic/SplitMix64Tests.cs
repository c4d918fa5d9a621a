using Apo.Tasks.Synthetic;

namespace Apo.Tasks.Tests.Synthetic;

public class SplitMix64Tests
{
    [Fact]
    public void MatchesTheReferenceSequence()
    {
        // Vigna's splitmix64.c with seed 1234567; recomputed independently in Python
        // (64-bit masked arithmetic of the same three mix steps) for this test.
        var rng = new SplitMix64(1234567);
        ulong[] expected = [6457827717110365317, 3203168211198807973, 9817491932198370423, 4593380528125082431, 16408922859458223821];
        Assert.Equal(expected, Enumerable.Range(0, 5).Select(_ => rng.NextUInt64()));
    }

    [Fact]
    public void NextIntCoversTheInclusiveRangeUniformly()
    {
        var rng = new SplitMix64(42);
        var counts = new int[6];
        const int draws = 60_000;
        for (var i = 0; i < draws; i++) counts[rng.NextInt(1, 6) - 1]++;
        // Each face expects 10,000 with standard deviation ~91; 5 sigma bounds.
        Assert.All(counts, c => Assert.InRange(c, 10_000 - 460, 10_000 + 460));
        Assert.Equal(7, new SplitMix64(1).NextInt(7, 7));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SplitMix64(1).NextInt(3, 2));
    }
}

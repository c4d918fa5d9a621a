using Apo.Cli.Bench;

namespace Apo.Cli.Tests;

/// <summary>The over-seeds statistics of the multi-seed bench and the ablation.</summary>
public class SpreadTests
{
    [Fact]
    public void TheIntervalIsTheStudentTIntervalOfTheMean()
    {
        var s = Spread.Of([1, 2, 3, 4, 5]);
        Assert.Equal(3, s.Mean, 12);
        Assert.Equal(Math.Sqrt(2.5), s.StandardDeviation, 12); // sample sd, n − 1
        // t(0.975, 4) = 2.776 in every Student-t table (e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.2).
        double half = 2.776 * Math.Sqrt(2.5) / Math.Sqrt(5);
        Assert.Equal(3 - half, s.Low, 3);
        Assert.Equal(3 + half, s.High, 3);
        Assert.True(s.ExcludesZero); // [1.04, 4.96]
        Assert.False(Spread.Of([-1.0, 0.5, 2]).ExcludesZero);
        Assert.Equal([1.0, 2, 3, 4, 5], s.Values);
    }

    [Fact]
    public void OneSeedHasNoSpread()
    {
        var s = Spread.Of([0.4]);
        Assert.Equal(0.4, s.Mean);
        Assert.True(double.IsNaN(s.StandardDeviation) && double.IsNaN(s.Low) && double.IsNaN(s.High));
        Assert.False(s.ExcludesZero);
    }

    [Theory]
    [InlineData("5", new long[] { 1, 2, 3, 4, 5 })]
    [InlineData("1", new long[] { 1 })]
    [InlineData("3, 7,11", new long[] { 3, 7, 11 })]
    public void SeedsAreACountOrAList(string text, long[] seeds) => Assert.Equal(seeds, SeedList.Parse(text));

    [Theory]
    [InlineData("0", "neither a count")]
    [InlineData("five", "neither a count")]
    [InlineData("1,x", "\"x\" is not a seed")]
    [InlineData("1,2,1", "seed 1 is listed twice")]
    public void ABadSeedListNamesTheOptionAndTheItem(string text, string message)
    {
        var e = Assert.Throws<UsageException>(() => SeedList.Parse(text));
        Assert.StartsWith("--seeds: ", e.Message);
        Assert.Contains(message, e.Message);
    }
}

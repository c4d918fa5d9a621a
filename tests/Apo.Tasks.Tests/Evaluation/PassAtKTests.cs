using Apo.Tasks.Evaluation;

namespace Apo.Tasks.Tests.Evaluation;

public class PassAtKTests
{
    [Theory]
    // 1 − C(3,2)/C(5,2) = 1 − 3/10 = 0.7
    [InlineData(5, 2, 2, 0.7)]
    // k = 1 is the plain success rate c/n.
    [InlineData(10, 3, 1, 0.3)]
    // 1 − C(2,2)/C(4,2) = 1 − 1/6
    [InlineData(4, 2, 2, 5.0 / 6.0)]
    // 1 − C(99,10)/C(100,10) = 1 − 90/100 = 0.1
    [InlineData(100, 1, 10, 0.1)]
    // 1 − C(6,3)/C(8,3) = 1 − 20/56 = 36/56
    [InlineData(8, 2, 3, 36.0 / 56.0)]
    // no correct sample: 0; all correct: 1; fewer wrong than k: 1
    [InlineData(8, 0, 4, 0.0)]
    [InlineData(8, 8, 1, 1.0)]
    [InlineData(4, 1, 4, 1.0)]
    [InlineData(5, 3, 3, 1.0)]
    [InlineData(1, 1, 1, 1.0)]
    [InlineData(1, 0, 1, 0.0)]
    public void Matches_hand_computed_values(int n, int c, int k, double expected) =>
        Assert.Equal(expected, PassAtK.Estimate(n, c, k), 12);

    [Fact]
    public void Matches_brute_force_enumeration_of_all_k_subsets()
    {
        // pass@k is, by definition, the fraction of k-subsets of the n samples holding a correct one.
        for (int n = 1; n <= 10; n++)
            for (int c = 0; c <= n; c++)
                for (int k = 1; k <= n; k++)
                {
                    int subsets = 0, withCorrect = 0;
                    for (int mask = 0; mask < 1 << n; mask++)
                    {
                        if (System.Numerics.BitOperations.PopCount((uint)mask) != k) continue;
                        subsets++;
                        int correctMask = (1 << c) - 1; // samples 0..c−1 are the correct ones
                        if ((mask & correctMask) != 0) withCorrect++;
                    }
                    Assert.Equal((double)withCorrect / subsets, PassAtK.Estimate(n, c, k), 12);
                }
    }

    [Fact]
    public void Stays_finite_and_exact_for_large_n()
    {
        // C(100000, 1000) overflows a double many times over; the product form does not.
        Assert.Equal(1e-5, PassAtK.Estimate(100_000, 1, 1), 15);
        // n − c = 500, k = 500: C(500,500)/C(1000,500) = 1/C(1000,500) ≈ 4e-300, so pass ≈ 1.
        double nearlyOne = PassAtK.Estimate(1000, 500, 500);
        Assert.True(double.IsFinite(nearlyOne));
        Assert.Equal(1.0, nearlyOne, 12);
        // 1 − C(99999,10)/C(100000,10) = 10/100000 exactly.
        Assert.Equal(1e-4, PassAtK.Estimate(100_000, 1, 10), 15);
    }

    [Fact]
    public void Increases_with_k()
    {
        double previous = 0;
        for (int k = 1; k <= 16; k++)
        {
            double value = PassAtK.Estimate(16, 3, k);
            Assert.True(value >= previous);
            previous = value;
        }
    }

    [Theory]
    [InlineData(0, 0, 1, "n")]
    [InlineData(5, -1, 1, "c")]
    [InlineData(5, 6, 1, "c")]
    [InlineData(5, 2, 0, "k")]
    [InlineData(5, 2, 6, "k")]
    public void Rejects_impossible_arguments(int n, int c, int k, string parameter)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => PassAtK.Estimate(n, c, k));
        Assert.Equal(parameter, error.ParamName);
    }
}

using Apo.Common.Batching;

namespace Apo.Common.Tests.Batching;

/// <summary>TokenBudget.Pack: passes of at most maxTokens padded tokens (rows × longest row), units kept whole.</summary>
public class TokenBudgetTests
{
    [Fact]
    public void WhenEverythingFitsItIsOnePassInTheGivenOrder()
    {
        int[] lengths = [3, 5, 2];
        // 3 rows padded to 5 cost exactly 15: at the budget still fits.
        Assert.Equal([[2, 0, 1]], TokenBudget.Pack([2, 0, 1], lengths, maxTokens: 15));
        Assert.Equal([[0, 1, 2]], TokenBudget.Pack([0, 1, 2], [4000, 9000, 1], TokenBudget.Unlimited));
        Assert.Empty(TokenBudget.Pack([], lengths, maxTokens: 1));
    }

    [Fact]
    public void OverTheBudgetLongestRowsGoFirstAndFillPassesGreedily()
    {
        // By hand: all four cost 4 × 5 = 20 > 8. Longest first: 0 (5), 2 (4), 3 (2), 1 (1).
        // [0] + 2 would cost 2 × 5 = 10 > 8, so [0] closes; [2, 3] costs 2 × 4 = 8; adding 1 would cost 12.
        Assert.Equal([[0], [2, 3], [1]], TokenBudget.Pack([0, 1, 2, 3], [5, 1, 4, 2], maxTokens: 8));
    }

    [Fact]
    public void UnitsStayTogetherAndAUnitOverTheBudgetGetsAPassOfItsOwn()
    {
        // Units of 2 (a prompt's responses): {0,1} longest 6, {2,3} longest 2, {4,5} longest 3.
        int[] lengths = [1, 6, 2, 2, 3, 1];
        int[] items = [0, 1, 2, 3, 4, 5];
        // Budget 8: {0,1} alone costs 12, over the budget, and still goes (alone); {4,5}+{2,3} would cost 12.
        Assert.Equal([[0, 1], [4, 5], [2, 3]], TokenBudget.Pack(items, lengths, maxTokens: 8, unitSize: 2));
        // Budget 12: {4,5}+{2,3} costs 4 × 3 = 12 and fits.
        Assert.Equal([[0, 1], [4, 5, 2, 3]], TokenBudget.Pack(items, lengths, maxTokens: 12, unitSize: 2));
    }

    [Fact]
    public void AnyPlanCoversEveryItemOnceKeepsUnitsWholeAndRespectsTheBudget()
    {
        var random = new Random(11);
        for (int trial = 0; trial < 200; trial++)
        {
            int unitSize = random.Next(1, 5);
            int count = unitSize * random.Next(1, 12);
            var lengths = Enumerable.Range(0, count + 3).Select(_ => random.Next(1, 300)).ToArray();
            // Items are indices into lengths, not necessarily 0..n-1 nor in order.
            var items = Enumerable.Range(0, count + 3).OrderBy(_ => random.Next()).Take(count).ToArray();
            int budget = random.Next(1, 3000);

            var passes = TokenBudget.Pack(items, lengths, budget, unitSize);

            Assert.Equal(items.Order(), passes.SelectMany(p => p).Order());
            var units = items.Chunk(unitSize).ToList();
            foreach (var pass in passes)
            {
                // A pass is a run of whole units, each unit's members adjacent and in their order.
                Assert.Equal(0, pass.Length % unitSize);
                foreach (var chunk in pass.Chunk(unitSize)) Assert.Contains(units, u => u.SequenceEqual(chunk));
                Assert.True(TokenBudget.Cost(pass, lengths) <= budget || pass.Length == unitSize,
                    $"trial {trial}: a pass of {pass.Length} rows costs {TokenBudget.Cost(pass, lengths)} > {budget}");
            }
            Assert.Equal(passes, TokenBudget.Pack(items, lengths, budget, unitSize)); // a plan depends on its inputs alone
        }
    }

    [Fact]
    public void CostIsRowsTimesTheLongestRow()
    {
        int[] lengths = [7, 2, 9, 4];
        Assert.Equal(3 * 9, TokenBudget.Cost([0, 1, 2], lengths));
        Assert.Equal(0, TokenBudget.Cost([], lengths));
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenBudget.Pack([0], [1], maxTokens: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenBudget.Pack([0], [1], maxTokens: 8, unitSize: 0));
        var e = Assert.Throws<ArgumentException>(() => TokenBudget.Pack([0, 1, 2], [1, 1, 1], maxTokens: 8, unitSize: 2));
        Assert.StartsWith("3 items do not form whole units of 2", e.Message);
    }
}

using Apo.Algorithm.OptimalValues;

namespace Apo.Algorithm.Tests.OptimalValues;

public class StageOneFilterTests
{
    [Fact]
    public void Drops_only_prompts_whose_samples_all_scored_zero_when_asked()
    {
        var prompts = new (string Id, double[] Rewards)[]
        {
            ("a", [0, 0, 0, 0]),
            ("b", [0, 1, 0, 0]),
            ("c", [1, 1, 1, 1]),
            ("d", [0, 0, 0, 0]),
        };

        var kept = new StageOneFilter(DropAllZeroPrompts: true).Apply(prompts, p => p.Rewards).Select(p => p.Id);
        Assert.Equal(["b", "c"], kept);

        var all = new StageOneFilter().Apply(prompts, p => p.Rewards).Select(p => p.Id);
        Assert.Equal(["a", "b", "c", "d"], all);
    }

    [Fact]
    public void A_prompt_without_samples_is_an_error()
    {
        Assert.Throws<ArgumentException>(() => new StageOneFilter(true).Keeps([]));
    }
}

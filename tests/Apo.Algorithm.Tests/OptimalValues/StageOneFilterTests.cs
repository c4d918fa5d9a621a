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

    [Theory]
    // The tiny preset: 100 steps of 64 prompts over 512 is 12.5 passes; 410 kept need ceil(12.5 × 410 / 64) = 81 steps.
    [InlineData(100, 64, 410, 512, 81, 64)]
    // Nothing dropped: the plan as it was.
    [InlineData(100, 64, 512, 512, 100, 64)]
    // Fewer prompts kept than a batch: the batch is every kept prompt, and the passes stay 12.5 (ceil(12.5 × 2 / 2) = 13).
    [InlineData(100, 64, 2, 512, 13, 2)]
    // Every prompt dropped: no step.
    [InlineData(100, 64, 0, 512, 0, 64)]
    public void Dropping_prompts_keeps_the_passes_over_the_data_and_shortens_stage_two(int iterations, int batch, int kept, int total, int steps, int batchAfter)
    {
        var shape = new StageOneFilter(DropAllZeroPrompts: true).StageTwoShape(iterations, batch, kept, total);
        Assert.Equal((steps, batchAfter), shape);
        // Without filtering the plan is never touched, whatever the counts.
        Assert.Equal((iterations, batch), new StageOneFilter().StageTwoShape(iterations, batch, kept, total));
    }

    [Fact]
    public void More_prompts_kept_than_there_are_is_an_error()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StageOneFilter(true).StageTwoShape(10, 4, 9, 8));
    }
}

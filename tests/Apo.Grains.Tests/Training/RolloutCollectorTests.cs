using System.Collections.Immutable;
using Apo.Abstractions.Training;
using Apo.Grains.Training;

namespace Apo.Grains.Tests.Training;

public sealed class RolloutCollectorTests
{
    static Rollout Item(string prompt, long step = 3, int sample = 0, double reward = 1) =>
        new(prompt, step, sample, [1, 2], [3, 4], [-0.5f, -0.25f], true, reward, 0.5, step);

    [Fact]
    public void RepeatsOtherStepsAndStrangersAreDroppedAndTheBatchKeepsItsOrder()
    {
        var collector = new RolloutCollector(3, ["b", "a", "c"], 1);
        Assert.True(collector.Offer(Item("a", reward: 1)));
        Assert.False(collector.Offer(Item("a", reward: 0)));      // at-least-once repeat: first copy wins
        Assert.False(collector.Offer(Item("b", step: 2)));        // a late rollout of the previous step
        Assert.False(collector.Offer(Item("z")));                 // not in this batch
        Assert.False(collector.Offer(Item("b", sample: 1)));      // A*-PO asks for sample 0 only
        Assert.Equal(["b", "c"], collector.MissingPromptIds());
        Assert.False(collector.Completion.IsCompleted);

        Assert.True(collector.Offer(Item("c")));
        Assert.True(collector.Offer(Item("b")));
        Assert.True(collector.Completion.IsCompletedSuccessfully);
        Assert.Empty(collector.MissingPromptIds());
        var batch = collector.InBatchOrder();
        Assert.Equal(["b", "a", "c"], batch.Select(r => r.PromptId).ToArray());
        Assert.Equal(1.0, batch[1].Reward);
    }
}

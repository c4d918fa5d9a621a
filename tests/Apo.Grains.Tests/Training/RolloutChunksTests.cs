using System.Collections.Immutable;
using Apo.Abstractions.Training;
using Apo.Grains.Training;

namespace Apo.Grains.Tests.Training;

public sealed class RolloutChunksTests
{
    static Rollout R(string prompt, int sample, long step = 3, long epoch = 1) =>
        new(prompt, step, sample, [1], [2], [-0.5f], true, 1, 0.5, step) { TrainerEpoch = epoch };

    [Fact]
    public void The_cut_depends_only_on_the_batch_and_the_plan()
    {
        string[] batch = ["a", "b", "c", "d", "e"];
        Assert.Equal([["a", "b"], ["c", "d"], ["e"]], RolloutChunks.Split(batch, 2, slots: 64, samplesPerPrompt: 1));
        // 0: as many prompts as fill the slots (4 slots, 2 samples each → 2 prompts per chunk).
        Assert.Equal([["a", "b"], ["c", "d"], ["e"]], RolloutChunks.Split(batch, 0, slots: 4, samplesPerPrompt: 2));
        Assert.Equal([batch], RolloutChunks.Split(batch, 0, slots: 64, samplesPerPrompt: 1));
        Assert.Throws<InvalidDataException>(() => RolloutChunks.Split(batch, -1, 4, 1).ToList());
    }

    [Fact]
    public void Answers_are_put_back_in_batch_order_whatever_order_they_came_in()
    {
        var ordered = RolloutChunks.InBatchOrder(3, 1, ["b", "a"], 2, [[R("a", 1), R("a", 0)], [R("b", 1), R("b", 0)]]);
        Assert.Equal([("b", 0), ("b", 1), ("a", 0), ("a", 1)], ordered.Select(r => (r.PromptId, r.SampleIndex)));
    }

    [Fact]
    public void A_missing_repeated_or_foreign_rollout_is_refused_by_name()
    {
        Assert.Contains("no generator answered rollout (b, sample 0)",
            Assert.Throws<InvalidOperationException>(() => RolloutChunks.InBatchOrder(3, 1, ["a", "b"], 1, [[R("a", 0)]])).Message);
        Assert.Contains("(a, sample 0) was answered twice",
            Assert.Throws<InvalidOperationException>(() => RolloutChunks.InBatchOrder(3, 1, ["a"], 1, [[R("a", 0)], [R("a", 0)]])).Message);
        Assert.Contains("step 4", Assert.Throws<InvalidOperationException>(() => RolloutChunks.InBatchOrder(3, 1, ["a"], 1, [[R("a", 0, step: 4)]])).Message);
        Assert.Contains("trainer incarnation 2, not 1",
            Assert.Throws<InvalidOperationException>(() => RolloutChunks.InBatchOrder(3, 1, ["a"], 1, [[R("a", 0, epoch: 2)]])).Message);
        Assert.Contains("(z, sample 0", Assert.Throws<InvalidOperationException>(() => RolloutChunks.InBatchOrder(3, 1, ["a"], 1, [[R("a", 0), R("z", 0)]])).Message);
    }
}

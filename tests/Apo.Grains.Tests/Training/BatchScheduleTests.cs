using Apo.Grains.Training;

namespace Apo.Grains.Tests.Training;

public sealed class BatchScheduleTests
{
    static readonly string[] Ids = ["p0", "p1", "p2", "p3", "p4", "p5", "p6"];

    [Fact]
    public void EachEpochIsAPermutationAndABatchNeverSpansTwoEpochs()
    {
        var schedule = new BatchSchedule(Ids, 3, seed: 99);
        var position = DataPosition.Start;
        var batches = new List<string[]>();
        for (int i = 0; i < 4; i++)
        {
            (var batch, position) = schedule.Take(position);
            batches.Add(batch);
        }
        // 7 prompts in batches of 3: two batches per epoch, the 7th prompt of each epoch is skipped.
        Assert.Equal(new DataPosition(1, 6), position);
        Assert.Equal(schedule.Order(0)[..6], batches[0].Concat(batches[1]).ToArray());
        Assert.Equal(schedule.Order(1)[..6], batches[2].Concat(batches[3]).ToArray());
        Assert.Equal(Ids.Order(), schedule.Order(0).Order());
        Assert.Equal(Ids.Order(), schedule.Order(1).Order());
        Assert.NotEqual(schedule.Order(0), schedule.Order(1));
    }

    [Fact]
    public void TheOrderDependsOnlyOnSeedAndEpoch()
    {
        var first = new BatchSchedule(Ids, 2, seed: 5);
        var second = new BatchSchedule(Ids, 2, seed: 5);
        second.Order(3); // a different history must not matter
        Assert.Equal(first.Order(1), second.Order(1));
        Assert.Equal(first.Take(new DataPosition(4, 2)), second.Take(new DataPosition(4, 2)), (a, b) => a.Batch.SequenceEqual(b.Batch) && a.Next == b.Next);
        Assert.NotEqual(first.Order(1), new BatchSchedule(Ids, 2, seed: 6).Order(1));
    }
}

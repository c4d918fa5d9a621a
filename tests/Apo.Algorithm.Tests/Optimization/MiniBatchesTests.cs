using Apo.Algorithm.Optimization;

namespace Apo.Algorithm.Tests.Optimization;

public class MiniBatchesTests
{
    [Fact]
    public void Paper_batch_of_256_becomes_two_steps_of_128()
    {
        var slices = MiniBatches.Split(256, 2);
        Assert.Equal([new MiniBatchSlice(0, 128), new MiniBatchSlice(128, 128)], slices);
    }

    [Fact]
    public void Uneven_batches_put_the_extra_items_first_and_cover_everything_once()
    {
        var slices = MiniBatches.Split(10, 3);
        Assert.Equal([4, 3, 3], slices.Select(s => s.Count));
        Assert.Equal(Enumerable.Range(0, 10), slices.SelectMany(s => s.Indices));
        Assert.Equal(slices, MiniBatches.Split(10, 3));
    }

    [Fact]
    public void Impossible_splits_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MiniBatches.Split(1, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => MiniBatches.Split(4, 0));
    }
}

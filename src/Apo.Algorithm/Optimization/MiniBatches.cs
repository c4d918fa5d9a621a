namespace Apo.Algorithm.Optimization;

/// <summary>Deterministic split of a batch into mini-batches, one optimizer step each.</summary>
public static class MiniBatches
{
    /// <summary>
    /// Splits B items into M contiguous slices in order; sizes differ by at most one, larger
    /// slices first (256 in 2 → 128 + 128; 10 in 3 → 4 + 3 + 3). The batch is expected to be
    /// shuffled already (seeded), so contiguity costs nothing and keeps the split reproducible.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">M &lt; 1, B &lt; 0, or M &gt; B (a mini-batch would be empty).</exception>
    public static IReadOnlyList<MiniBatchSlice> Split(int itemCount, int miniBatches)
    {
        if (itemCount < 0) throw new ArgumentOutOfRangeException(nameof(itemCount), itemCount, "the batch size cannot be negative.");
        if (miniBatches < 1) throw new ArgumentOutOfRangeException(nameof(miniBatches), miniBatches, "there must be at least one mini-batch.");
        if (miniBatches > itemCount)
            throw new ArgumentOutOfRangeException(nameof(miniBatches), miniBatches,
                $"cannot split {itemCount} items into {miniBatches} non-empty mini-batches.");

        var slices = new MiniBatchSlice[miniBatches];
        var baseSize = itemCount / miniBatches;
        var remainder = itemCount % miniBatches;
        var start = 0;
        for (var i = 0; i < miniBatches; i++)
        {
            var size = baseSize + (i < remainder ? 1 : 0);
            slices[i] = new MiniBatchSlice(start, size);
            start += size;
        }
        return slices;
    }
}

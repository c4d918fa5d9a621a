using Apo.Common.Randomness;
using Apo.Tasks.Synthetic;

namespace Apo.Grains.Training;

/// <summary>
/// The order prompts are trained in: each epoch is a permutation of the prompt ids drawn from
/// (seed, epoch) alone, so a resumed run, given its <see cref="DataPosition"/>, picks exactly the
/// batches an uninterrupted one would. A batch never spans two epochs (the epoch's remainder that
/// cannot fill a batch is skipped, like drop_last), so one batch never holds a prompt twice and
/// (step, prompt id, sample index) stays a unique rollout identity.
/// </summary>
public sealed class BatchSchedule
{
    readonly IReadOnlyList<string> promptIds;
    readonly int batchSize;
    readonly long seed;
    long cachedEpoch = -1;
    string[] cachedOrder = [];

    public BatchSchedule(IReadOnlyList<string> promptIds, int batchSize, long seed)
    {
        if (batchSize < 1 || batchSize > promptIds.Count)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"must be in [1, {promptIds.Count}] (the number of prompts)");
        this.promptIds = promptIds;
        this.batchSize = batchSize;
        this.seed = seed;
    }

    /// <summary>The batch at <paramref name="position"/> and the position after it.</summary>
    public (string[] Batch, DataPosition Next) Take(DataPosition position)
    {
        if (position.Offset + batchSize > promptIds.Count) position = new DataPosition(position.Epoch + 1, 0);
        var order = Order(position.Epoch);
        var batch = order.AsSpan(position.Offset, batchSize).ToArray();
        return (batch, position with { Offset = position.Offset + batchSize });
    }

    /// <summary>The permutation of epoch <paramref name="epoch"/> (Fisher–Yates with SplitMix64).</summary>
    public string[] Order(long epoch)
    {
        if (epoch == cachedEpoch) return cachedOrder;
        var order = promptIds.ToArray();
        var random = new SplitMix64((ulong)StableSeed.Derive(seed, "stage2-shuffle", "epoch", epoch));
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = random.NextInt(0, i);
            (order[i], order[j]) = (order[j], order[i]);
        }
        cachedEpoch = epoch;
        cachedOrder = order;
        return order;
    }
}

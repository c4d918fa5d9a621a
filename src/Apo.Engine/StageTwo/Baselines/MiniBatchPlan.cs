using Apo.Algorithm.Optimization;

namespace Apo.Engine.StageTwo.Baselines;

/// <summary>One optimizer step: its sequences and the micro-batches (whole prompt groups each) whose gradients it accumulates.</summary>
sealed record MiniBatchPlan(MiniBatchSlice Sequences, IReadOnlyList<MiniBatchSlice> Parts)
{
    /// <summary>
    /// Splits the batch's prompt groups into <paramref name="miniBatches"/> steps (<see cref="MiniBatches.Split"/> over groups,
    /// so a group is never split), and each step into micro-batches of at most <paramref name="microBatchSize"/> sequences,
    /// rounded down to whole groups (at least one group; 0 = the whole mini-batch at once).
    /// </summary>
    public static IReadOnlyList<MiniBatchPlan> Create(int sequenceCount, int groupSize, int miniBatches, int microBatchSize)
    {
        int groups = sequenceCount / groupSize;
        if (miniBatches > groups)
            throw new ArgumentException($"the batch holds {groups} prompt group(s) of {groupSize}; it cannot fill {miniBatches} mini-batches", "batch");
        int groupsPerPart = microBatchSize == 0 ? groups : Math.Max(1, microBatchSize / groupSize);
        var plans = new List<MiniBatchPlan>();
        foreach (var slice in MiniBatches.Split(groups, miniBatches))
        {
            var parts = new List<MiniBatchSlice>();
            for (int g = slice.Start; g < slice.End; g += groupsPerPart)
            {
                int count = Math.Min(groupsPerPart, slice.End - g);
                parts.Add(new MiniBatchSlice(g * groupSize, count * groupSize));
            }
            plans.Add(new MiniBatchPlan(new MiniBatchSlice(slice.Start * groupSize, slice.Count * groupSize), parts));
        }
        return plans;
    }
}

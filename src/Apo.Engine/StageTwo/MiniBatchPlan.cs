using Apo.Algorithm.Optimization;
using Apo.Common.Batching;

namespace Apo.Engine.StageTwo;

/// <summary>
/// One optimizer step: its sequences and the micro-batches whose gradients it accumulates. Every learner
/// (A*-PO and the baselines), its old-log-prob pass and the PPO critic use these very micro-batches.
/// </summary>
/// <param name="Sequences">The step's rows of the batch (whole prompt groups, contiguous).</param>
/// <param name="Parts">Micro-batches: row indices, whole prompt groups each, at most the token budget each.</param>
sealed record MiniBatchPlan(MiniBatchSlice Sequences, IReadOnlyList<int[]> Parts)
{
    /// <summary>
    /// Splits the batch's prompt groups into <paramref name="miniBatches"/> steps (<see cref="MiniBatches.Split"/> over groups,
    /// so a group is never split), and each step into micro-batches of at most <paramref name="maxTokens"/> padded tokens
    /// (prompt + response, <see cref="TokenBudget.Pack"/>: a step that fits is one micro-batch in batch order; otherwise
    /// groups of similar length go together; <see cref="TokenBudget.Unlimited"/> = the whole step at once).
    /// </summary>
    public static IReadOnlyList<MiniBatchPlan> Create(IReadOnlyList<int> sequenceLengths, int groupSize, int miniBatches, int maxTokens)
    {
        int groups = sequenceLengths.Count / groupSize;
        if (miniBatches > groups)
            throw new ArgumentException($"the batch holds {groups} prompt group(s) of {groupSize}; it cannot fill {miniBatches} mini-batches", "batch");
        var plans = new List<MiniBatchPlan>();
        foreach (var slice in MiniBatches.Split(groups, miniBatches))
        {
            var sequences = new MiniBatchSlice(slice.Start * groupSize, slice.Count * groupSize);
            plans.Add(new MiniBatchPlan(sequences, TokenBudget.Pack(sequences.Indices.ToArray(), sequenceLengths, maxTokens, groupSize)));
        }
        return plans;
    }
}

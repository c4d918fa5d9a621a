namespace Apo.Engine.StageTwo;

/// <summary>Checks the layout every baseline relies on: whole groups of one prompt's rollouts, adjacent.</summary>
static class GroupedBatch
{
    /// <exception cref="ArgumentException">Naming the first offending rollout's index and prompt id.</exception>
    public static void Validate(IReadOnlyList<TrainingRollout> batch, int groupSize, string algorithm)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0) throw new ArgumentException("a stage-2 batch needs at least one rollout", nameof(batch));
        if (batch.Count % groupSize != 0)
        {
            int first = batch.Count - batch.Count % groupSize;
            throw new ArgumentException($"{algorithm} needs {groupSize} rollouts per prompt, but the batch holds {batch.Count}: " +
                $"rollout {first} (prompt \"{batch[first].PromptId}\") starts an incomplete group", nameof(batch));
        }
        for (int i = 0; i < batch.Count; i++)
        {
            var r = batch[i] ?? throw new ArgumentException($"rollout {i} is null", nameof(batch));
            if (r.PromptIds.Length == 0) throw new ArgumentException($"rollout {i} (prompt \"{r.PromptId}\") has an empty prompt", nameof(batch));
            if (r.ResponseIds.Length == 0) throw new ArgumentException($"rollout {i} (prompt \"{r.PromptId}\") has an empty response", nameof(batch));
            if (!double.IsFinite(r.Reward)) throw new ArgumentException($"rollout {i} (prompt \"{r.PromptId}\") has reward {r.Reward}; it must be finite", nameof(batch));
            int head = i - i % groupSize;
            if (i != head && r.PromptId != batch[head].PromptId)
                throw new ArgumentException($"rollout {i} (prompt \"{r.PromptId}\") is in the group of rollout {head} (prompt \"{batch[head].PromptId}\"): " +
                    $"{algorithm} needs each prompt's {groupSize} rollouts next to each other", nameof(batch));
        }
    }
}

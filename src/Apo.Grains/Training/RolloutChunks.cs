using System.Collections.Immutable;
using Apo.Abstractions.Training;

namespace Apo.Grains.Training;

/// <summary>
/// How a step's batch is cut into the chunks the generator pool samples, and how their answers are put
/// back together. The cut depends only on the batch and the plan, never on the live generators, so a
/// chunk is sampled with the same batch composition wherever and however often it runs.
/// </summary>
public static class RolloutChunks
{
    /// <summary>
    /// Consecutive chunks of <paramref name="promptsPerChunk"/> prompts, or, when that is 0, of as many as fill
    /// <paramref name="slots"/> decode slots with <paramref name="samplesPerPrompt"/> samples each.
    /// </summary>
    public static IEnumerable<string[]> Split(IReadOnlyList<string> batch, int promptsPerChunk, int slots, int samplesPerPrompt)
    {
        if (promptsPerChunk < 0) throw new InvalidDataException($"prompts per chunk is {promptsPerChunk}; it must be ≥ 0 (0 = fill the engine's slots)");
        int size = promptsPerChunk > 0 ? promptsPerChunk : Math.Max(1, slots / Math.Max(1, samplesPerPrompt));
        return batch.Chunk(size);
    }

    /// <summary>
    /// The batch in batch order (prompt, then sample index) from the chunks' answers. Throws when an answer
    /// misses a rollout, repeats one, or belongs to another step, prompt or trainer incarnation: the update must see exactly the batch.
    /// </summary>
    public static IReadOnlyList<Rollout> InBatchOrder(long step, long trainerEpoch, IReadOnlyList<string> batch, int samplesPerPrompt,
        IEnumerable<ImmutableArray<Rollout>> answers)
    {
        var inBatch = batch.ToHashSet(StringComparer.Ordinal);
        var received = new Dictionary<(string, int), Rollout>();
        foreach (var rollout in answers.SelectMany(a => a))
        {
            if (rollout.Step != step || !inBatch.Contains(rollout.PromptId) || rollout.SampleIndex < 0 || rollout.SampleIndex >= samplesPerPrompt)
                throw new InvalidOperationException($"step {step}: a generator answered rollout ({rollout.PromptId}, sample {rollout.SampleIndex}, step {rollout.Step}), which is not in the batch");
            if (rollout.TrainerEpoch != trainerEpoch)
                throw new InvalidOperationException($"step {step}: rollout ({rollout.PromptId}, sample {rollout.SampleIndex}) was drawn for trainer incarnation {rollout.TrainerEpoch}, not {trainerEpoch}");
            if (!received.TryAdd((rollout.PromptId, rollout.SampleIndex), rollout))
                throw new InvalidOperationException($"step {step}: rollout ({rollout.PromptId}, sample {rollout.SampleIndex}) was answered twice");
        }
        var ordered = new List<Rollout>(batch.Count * samplesPerPrompt);
        foreach (var id in batch)
            for (int j = 0; j < samplesPerPrompt; j++)
                ordered.Add(received.TryGetValue((id, j), out var r) ? r
                    : throw new InvalidOperationException($"step {step}: no generator answered rollout ({id}, sample {j})"));
        return ordered;
    }
}

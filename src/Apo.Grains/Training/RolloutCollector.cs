using Apo.Abstractions.Training;

namespace Apo.Grains.Training;

/// <summary>
/// Gathers the rollouts of one step's batch from an at-least-once stream: keeps the first copy of
/// each (prompt id, sample index), drops repeats, rollouts of other steps and prompts outside the
/// batch, and completes when every expected rollout has arrived.
/// </summary>
public sealed class RolloutCollector
{
    readonly string[] batch;
    readonly int samplesPerPrompt;
    readonly Dictionary<(string PromptId, int SampleIndex), Rollout> received = new();
    readonly HashSet<string> inBatch;
    readonly TaskCompletionSource completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RolloutCollector(long step, IReadOnlyList<string> batch, int samplesPerPrompt)
    {
        Step = step;
        this.batch = batch.ToArray();
        this.samplesPerPrompt = samplesPerPrompt;
        inBatch = new HashSet<string>(this.batch, StringComparer.Ordinal);
    }

    public long Step { get; }

    /// <summary>Rollouts kept so far.</summary>
    public int Count => received.Count;

    /// <summary>Completes when the batch is whole.</summary>
    public Task Completion => completion.Task;

    /// <summary>Keeps <paramref name="rollout"/> if it is new and belongs to this batch; true when kept.</summary>
    public bool Offer(Rollout rollout)
    {
        if (rollout.Step != Step || !inBatch.Contains(rollout.PromptId)) return false;
        if (rollout.SampleIndex < 0 || rollout.SampleIndex >= samplesPerPrompt) return false;
        if (!received.TryAdd((rollout.PromptId, rollout.SampleIndex), rollout)) return false;
        if (received.Count == batch.Length * samplesPerPrompt) completion.TrySetResult();
        return true;
    }

    /// <summary>Prompts still missing at least one sample, in batch order.</summary>
    public string[] MissingPromptIds() =>
        batch.Where(id => Enumerable.Range(0, samplesPerPrompt).Any(j => !received.ContainsKey((id, j)))).ToArray();

    /// <summary>The whole batch in batch order (prompt, then sample index): the update sees the same order on every run.</summary>
    public IReadOnlyList<Rollout> InBatchOrder()
    {
        if (!Completion.IsCompleted) throw new InvalidOperationException($"step {Step}: the batch is incomplete ({Count} of {batch.Length * samplesPerPrompt} rollouts)");
        return batch.SelectMany(id => Enumerable.Range(0, samplesPerPrompt).Select(j => received[(id, j)])).ToList();
    }
}

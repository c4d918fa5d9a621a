using Apo.Abstractions.Training;
using Apo.Abstractions.Weights;
using Apo.Engine.StageTwo;

namespace Apo.Grains.Training;

/// <summary>
/// The steps of stage 2 whose rollouts are being sampled ahead of the trainer. With staleness bound k, batch t is
/// sampled with weight version max(0, t − k): a step is launched as soon as that version is published, so while
/// the trainer updates on batch t the generators sample batches up to t + k. Which version samples which batch is a
/// function of the step and k alone, never of timing, so the run's result does not depend on how fast anything is.
/// k = 0 is synchronous stage 2: batch t is sampled by the weights it trains. Once a step's rollouts are in, the
/// pipeline has the reference score them (a function of the rollouts alone), so the trainer's update does not.
/// </summary>
/// <remarks>Used from the trainer grain's turns only (one at a time), so it needs no locks.</remarks>
public sealed class RolloutPipeline
{
    /// <summary>One step in the pipeline: the data position after it, its rollouts and their reference scores.</summary>
    public sealed record Entry(long Step, DataPosition Next, Task<IReadOnlyList<Rollout>> Rollouts, Task<ReferenceScores> Reference);

    readonly BatchSchedule schedule;
    readonly int maxStaleness;
    readonly long iterations;
    readonly Func<IReadOnlyList<Rollout>, Task<ReferenceScores>> score;
    readonly SortedDictionary<long, Entry> entries = [];
    DataPosition cursor;
    int inFlight;
    readonly System.Diagnostics.Stopwatch idleSince = System.Diagnostics.Stopwatch.StartNew();
    double idleSeconds;

    /// <param name="position">The data position of step <paramref name="firstStep"/> (the trainer's next one).</param>
    /// <param name="score">Scores a step's rollouts under the reference.</param>
    public RolloutPipeline(BatchSchedule schedule, int maxStaleness, long iterations, long firstStep, DataPosition position,
        Func<IReadOnlyList<Rollout>, Task<ReferenceScores>> score)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxStaleness);
        this.score = score;
        this.schedule = schedule;
        this.maxStaleness = maxStaleness;
        this.iterations = iterations;
        NextStep = firstStep;
        cursor = position;
    }

    /// <summary>The first step not yet in the pipeline.</summary>
    public long NextStep { get; private set; }

    /// <summary>The weight version that samples batch <paramref name="step"/>.</summary>
    public long VersionFor(long step) => Math.Max(0, step - maxStaleness);

    /// <summary>
    /// Starts every step whose sampling version is <paramref name="published"/>, the newest version: steps up to
    /// published + k (and, at the start, every step of version 0). <paramref name="collect"/> samples one step's batch.
    /// </summary>
    public void LaunchReady(WeightVersion published, Func<long, string[], WeightVersion, Task<IReadOnlyList<Rollout>>> collect)
    {
        while (NextStep < iterations && VersionFor(NextStep) <= published.Version)
        {
            if (VersionFor(NextStep) != published.Version)
                throw new InvalidOperationException($"step {NextStep} is sampled with weight version {VersionFor(NextStep)}, " +
                    $"but the newest is {published.Version}: the pipeline missed its launch");
            var (batch, next) = schedule.Take(cursor);
            var rollouts = Track(collect(NextStep, batch, published));
            entries[NextStep] = new Entry(NextStep, next, rollouts, ScoreAsync(rollouts));
            cursor = next;
            NextStep++;
        }
    }

    /// <summary>
    /// Puts back a step whose rollouts a checkpoint kept (sampled before a restart by a version that is no longer
    /// published); throws when they are not the batch the schedule gives that step.
    /// </summary>
    public void Adopt(long step, IReadOnlyList<Rollout> rollouts, int samplesPerPrompt)
    {
        if (step != NextStep) throw new InvalidOperationException($"step {step} adopted out of order (next is {NextStep})");
        var (batch, next) = schedule.Take(cursor);
        var expected = batch.SelectMany(id => Enumerable.Range(0, samplesPerPrompt).Select(j => (id, j)));
        if (!rollouts.Select(r => (r.PromptId, r.SampleIndex)).SequenceEqual(expected) || rollouts.Any(r => r.Step != step))
            throw new InvalidDataException($"the checkpoint's rollouts of step {step} are not that step's batch");
        if (rollouts.Any(r => r.WeightVersion != VersionFor(step)))
            throw new InvalidDataException($"the checkpoint's rollouts of step {step} were not sampled with weight version {VersionFor(step)}");
        var kept = Task.FromResult(rollouts);
        entries[step] = new Entry(step, next, kept, ScoreAsync(kept));
        cursor = next;
        NextStep++;
    }

    /// <summary>Removes and returns the entry of <paramref name="step"/>, the trainer's next one.</summary>
    public Entry Take(long step) => entries.Remove(step, out var entry) ? entry
        : throw new InvalidOperationException($"step {step} was never launched (next to launch: {NextStep})");

    /// <summary>The entries still in the pipeline, in step order.</summary>
    public IReadOnlyList<Entry> Pending => [.. entries.Values];

    /// <summary>Seconds in which no step was being sampled since the last call: the generators waited for weights.</summary>
    public double TakeIdleSeconds()
    {
        double idle = idleSeconds + (inFlight == 0 ? idleSince.Elapsed.TotalSeconds : 0);
        idleSeconds = 0;
        idleSince.Restart();
        return idle;
    }

    /// <summary>Waits for every step still sampling (cancelled or not), observing their failures.</summary>
    public async Task DrainAsync()
    {
        foreach (var entry in entries.Values)
        {
            try { await entry.Reference; }
            catch (Exception) { } // the loop already ended: a cancelled or failed look-ahead has nothing left to report to
        }
    }

    async Task<ReferenceScores> ScoreAsync(Task<IReadOnlyList<Rollout>> rollouts) => await score(await rollouts);

    async Task<IReadOnlyList<Rollout>> Track(Task<IReadOnlyList<Rollout>> collection)
    {
        if (inFlight++ == 0) idleSeconds += idleSince.Elapsed.TotalSeconds;
        try { return await collection; }
        finally
        {
            if (--inFlight == 0) idleSince.Restart();
        }
    }
}

using System.Collections.Immutable;
using Apo.Abstractions;
using Apo.Abstractions.Generation;
using Apo.Abstractions.Prompts;
using Apo.Abstractions.Runs;
using Apo.Abstractions.StageOne;
using Apo.Abstractions.Training;
using Apo.Algorithm;
using Apo.Algorithm.OptimalValues;
using Apo.Grains.Dispatch;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Apo.Grains.Runs;

/// <summary>
/// The coordinator of one run: stage 1 spread over the generator pool in work units (A*-PO only), then
/// stage 2 by the run's TrainerGrain. <see cref="Start"/> answers at once; a background loop in the grain's own
/// context drives the phases. Nothing needs a client to keep going: a reminder wakes a run whose activation
/// was lost (its silo died, or shut down gracefully in a rolling update) and the new activation resumes it;
/// only <see cref="Cancel"/> cancels. Reentrant so status calls answer while the loop awaits generators; the
/// loop and the calls still run one at a time on the grain's scheduler.
/// </summary>
[Reentrant]
[Apo.Abstractions.Placement.TrainerSilosOnly]
public sealed class RunGrain(
    [PersistentState("run", ApoStorageNames.Grains)] IPersistentState<RunState> state,
    [PersistentState("progress", ApoStorageNames.Grains)] IPersistentState<RunProgress> progress,
    IGeneratorDirectory generators,
    IOptions<DispatchOptions> dispatch,
    IOptions<RunOptions> options,
    RunConfinement confinement,
    ILogger<RunGrain> logger) : Grain, IRunGrain, IRemindable
{
    const string WakeReminder = "wake";
    readonly RunOptions settings = options.Value;
    readonly SemaphoreSlim writeLock = new(1, 1);
    // Cancel: the run is cancelled (recorded); pause: this activation ends, the run goes on in the next one.
    CancellationTokenSource cancelling = new();
    readonly CancellationTokenSource pausing = new();
    Task? driving;
    Task counting = Task.CompletedTask; // the write behind the stage-1 count (see Count)
    bool countDirty;

    string Key => this.GetPrimaryKeyString();

    static bool InProgress(RunPhase phase) => phase is RunPhase.StageOne or RunPhase.StageTwo;

    /// <inheritdoc />
    public async Task<RunStatus> Start(RunSpec spec)
    {
        RunSpecs.Check(Key, spec, confinement);
        if (spec.EvalPromptIds.IsDefault) spec = spec with { EvalPromptIds = [] };
        if (state.State.Spec is { } stored && RunSpecs.Difference(stored, spec) is { } field)
            throw new InvalidDataException(
                $"run \"{Key}\" was started with a different {field}; a run id names one run: use a new run id for a new spec");

        if (driving is { IsCompleted: false } loop)
        {
            if (InProgress(progress.State.Phase)) return Status();
            await loop; // a loop that just recorded its end is still tidying up (its reminder)
        }
        if (progress.State.Phase == RunPhase.Completed) return Status();
        if (cancelling.IsCancellationRequested) cancelling = new(); // started again after a cancel

        // Only A*-PO regresses onto V̂*: the baselines go straight to stage 2 on every training prompt.
        bool needsStageOne = StageTwoAlgorithms.Parse(spec.StageTwo.Algorithm).UsesOptimalValues();
        var phase = state.State.Spec is null || progress.State.Phase is RunPhase.NotStarted or RunPhase.Failed or RunPhase.Cancelled
            ? (state.State.StageTwoPromptIds is null && needsStageOne ? RunPhase.StageOne : RunPhase.StageTwo)
            : progress.State.Phase;
        if (state.State.Spec is null)
        {
            state.State = state.State with { Spec = spec };
            await state.WriteStateAsync();
        }
        await Update(p => p with { Phase = phase, Error = null });
        await this.RegisterOrUpdateReminder(WakeReminder, settings.WakePeriod, settings.WakePeriod);
        EnsureDriving(resumingBecause: null);
        return Status();
    }

    /// <inheritdoc />
    public Task<RunStatus> GetStatus()
    {
        EnsureDriving("status call");
        return Task.FromResult(Status());
    }

    /// <inheritdoc />
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != WakeReminder) return;
        if (InProgress(progress.State.Phase) && state.State.Spec is not null) EnsureDriving("reminder");
        else await StopWaking();
    }

    /// <inheritdoc />
    public async Task Cancel()
    {
        cancelling.Cancel();
        if (progress.State.Phase == RunPhase.StageTwo)
            await GrainFactory.GetGrain<ITrainerGrain>(Key).Stop();
        if (driving is null or { IsCompleted: true } && InProgress(progress.State.Phase))
            await Update(p => p with { Phase = RunPhase.Cancelled });
        await StopWaking();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // The loop stops at its next await without recording anything: the reminder resumes the run elsewhere.
        pausing.Cancel();
        if (driving is { IsCompleted: false } loop)
        {
            try { await loop.WaitAsync(cancellationToken); }
            catch (OperationCanceledException) { logger.LogWarning("run {Run}: deactivated before its loop paused ({Reason})", Key, reason); }
        }
        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    /// <summary>
    /// Starts the loop when the run is in progress and no loop drives it in this activation (a new
    /// activation after a silo died or shut down, woken by the reminder or by any call); <paramref name="resumingBecause"/>
    /// is null when the run was just started.
    /// </summary>
    void EnsureDriving(string? resumingBecause)
    {
        if (driving is { IsCompleted: false } || cancelling.IsCancellationRequested || pausing.IsCancellationRequested) return;
        if (state.State.Spec is null || !InProgress(progress.State.Phase)) return;
        if (resumingBecause is not null)
            logger.LogWarning("run {Run}: resuming {Phase} in this activation ({Why})", Key, progress.State.Phase, resumingBecause);
        driving = DriveAsync();
    }

    RunStatus Status()
    {
        var p = progress.State;
        return new RunStatus(Key, p.Phase, p.StageOneDone, state.State.Spec?.TrainPromptIds.Length ?? 0, p.TrainerIteration, p.Error)
        {
            StageTwoIterations = state.State.Spec is { } spec && (state.State.StageTwoPromptIds is not null || !spec.StageOne.DropAllZeroPrompts)
                ? StageTwoAsTaken(spec).Iterations : null,
        };
    }

    /// <summary>Runs the remaining phases; every failure ends in a Failed phase with its message, never an unobserved exception.</summary>
    async Task DriveAsync()
    {
        // The loop is not a grain call, so Orleans would otherwise collect an activation that looks idle.
        DelayDeactivation(TimeSpan.FromDays(7));
        using var halt = CancellationTokenSource.CreateLinkedTokenSource(cancelling.Token, pausing.Token);
        try
        {
            if (progress.State.Phase == RunPhase.StageOne) await StageOne(halt.Token);
            if (progress.State.Phase == RunPhase.StageTwo) await StageTwo(halt.Token);
        }
        catch (OperationCanceledException) when (pausing.IsCancellationRequested)
        {
            logger.LogInformation("run {Run}: paused in {Phase} (the activation is ending); the reminder resumes it", Key, progress.State.Phase);
        }
        catch (OperationCanceledException) when (cancelling.IsCancellationRequested)
        {
            await Update(p => p with { Phase = RunPhase.Cancelled });
        }
        catch (Exception e)
        {
            logger.LogError(e, "run {Run} failed in {Phase}", Key, progress.State.Phase);
            try { await Update(p => p with { Phase = RunPhase.Failed, Error = $"{p.Phase}: {e.Message}" }); }
            catch (Exception write) { logger.LogError(write, "run {Run}: could not store the failure", Key); }
        }
        finally
        {
            DelayDeactivation(TimeSpan.FromSeconds(-1));
        }
        if (!InProgress(progress.State.Phase))
        {
            try { await StopWaking(); }
            catch (Exception e) { logger.LogWarning(e, "run {Run}: could not remove its wake-up reminder", Key); }
        }
    }

    async Task StageOne(CancellationToken halt)
    {
        var spec = state.State.Spec!;
        var provenance = spec.StageOne.ProvenanceFor(spec.Reference.Hash);
        var units = WorkUnits(spec, provenance);
        logger.LogInformation("run {Run}: stage 1, {Units} work units over the generator pool ({Live} generators live now)",
            Key, units.Count, generators.LiveGenerators().Count);

        // Every unit is confirmed again (prompts already recorded cost only their reads), so the count starts over.
        await Update(p => p with { StageOneDone = 0 });
        var pool = new WorkDispatcher(generators, dispatch.Value, logger);
        await pool.RunAsync(units,
            (generator, unit, token) => GrainFactory.GetGrain<IGeneratorGrain>(generator).RunStageOne(unit, token),
            unit => $"stage-1 work unit \"{unit.WorkUnitId}\"",
            (_, result) => Count(result.Recorded + result.AlreadyPresent),
            halt);
        await counting; // the last count is durable before the phase moves on

        var kept = spec.StageOne.DropAllZeroPrompts ? await NonZeroPrompts(spec.TrainPromptIds, provenance) : spec.TrainPromptIds;
        state.State = state.State with { StageTwoPromptIds = kept };
        logger.LogInformation("run {Run}: stage 1 done; {Kept} of {Total} prompts go to stage 2, {Iterations} iterations", Key, kept.Length,
            spec.TrainPromptIds.Length, StageTwoAsTaken(spec).Iterations);
        await state.WriteStateAsync();
        await Update(p => p with { Phase = RunPhase.StageTwo });
    }

    async Task<ImmutableArray<string>> NonZeroPrompts(ImmutableArray<string> ids, StageOneProvenance provenance)
    {
        var records = await Task.WhenAll(ids.Select(id => GrainFactory.GetGrain<IPromptGrain>(id).GetStageOne(provenance)));
        for (int i = 0; i < ids.Length; i++)
            if (records[i] is null) throw new InvalidDataException($"run \"{Key}\": prompt '{ids[i]}' has no stage-1 record after stage 1");
        var filter = new StageOneFilter(DropAllZeroPrompts: true);
        return ids.Where((_, i) => filter.Keeps(records[i]!.Samples.Select(s => s.Reward).ToArray())).ToImmutableArray();
    }

    /// <summary>Stage 2 as this run takes it: the plan's, with fewer steps when stage 1 dropped prompts (as many passes over the kept ones).</summary>
    StageTwoSettings StageTwoAsTaken(RunSpec spec)
    {
        int kept = (state.State.StageTwoPromptIds ?? spec.TrainPromptIds).Length;
        var two = spec.StageTwo;
        var (iterations, batch) = new StageOneFilter(spec.StageOne.DropAllZeroPrompts).StageTwoShape(two.Iterations, two.PromptsPerBatch, kept, spec.TrainPromptIds.Length);
        return two with { Iterations = iterations, PromptsPerBatch = batch, MiniBatchesPerBatch = Math.Min(two.MiniBatchesPerBatch, batch) };
    }

    async Task StageTwo(CancellationToken halt)
    {
        var spec = state.State.Spec!;
        var prompts = state.State.StageTwoPromptIds ?? spec.TrainPromptIds;
        var taken = StageTwoAsTaken(spec);
        if (taken.Iterations <= 0 || prompts.Length == 0)
        {
            // Nothing to train (a stage-1-only run, or every prompt filtered out).
            await Update(p => p with { Phase = RunPhase.Completed });
            return;
        }
        var trainer = GrainFactory.GetGrain<ITrainerGrain>(Key);
        var plan = new StageTwoPlan(Key, spec.Reference, spec.StageOne.ProvenanceFor(spec.Reference.Hash), prompts,
            taken, spec.OutputDirectory)
        {
            EvalPromptIds = spec.EvalPromptIds.IsDefault ? [] : spec.EvalPromptIds,
            Engine = spec.Engine,
        };
        var status = await trainer.Start(plan);
        while (true)
        {
            if (status.Iteration != progress.State.TrainerIteration) await Update(p => p with { TrainerIteration = status.Iteration });
            switch (status.Phase)
            {
                case TrainerPhase.Finished:
                    await Update(p => p with { Phase = RunPhase.Completed });
                    return;
                case TrainerPhase.Failed:
                    throw new InvalidOperationException($"trainer failed: {status.Error}");
                case TrainerPhase.Stopped:
                    // Only an explicit stop records Stopped (a trainer whose silo shuts down stays Training and resumes).
                    await Update(p => p with { Phase = RunPhase.Cancelled });
                    return;
            }
            await Task.Delay(settings.TrainerPollInterval, halt);
            status = await trainer.GetStatus();
        }
    }

    /// <summary>Work units in prompt order; ids and composition are stable across restarts because the spec is.</summary>
    static List<StageOneWorkUnit> WorkUnits(RunSpec spec, StageOneProvenance provenance) =>
        spec.TrainPromptIds.Chunk(spec.StageOne.PromptsPerWorkUnit)
            .Select((ids, i) => new StageOneWorkUnit(spec.RunId, $"{spec.RunId}/stage1/{i:D6}", spec.Reference, provenance, ids.ToImmutableArray(), spec.Engine))
            .ToList();

    async Task StopWaking()
    {
        if (await this.GetReminder(WakeReminder) is { } reminder) await this.UnregisterReminder(reminder);
    }

    /// <summary>
    /// Adds confirmed stage-1 prompts to the progress without holding up the pool: the count changes at once and is
    /// written behind it, one write at a time, the latest count each time (a unit's completion never waits for storage).
    /// </summary>
    Task Count(int prompts)
    {
        progress.State = progress.State with { StageOneDone = progress.State.StageOneDone + prompts };
        if (counting.IsCompleted) counting = WriteCountAsync();
        else countDirty = true;
        return Task.CompletedTask;
    }

    async Task WriteCountAsync()
    {
        do
        {
            countDirty = false;
            await Update(p => p); // writes the current progress, count included
        } while (countDirty);
    }

    // Background workers and calls may want to write at the same time: each change is applied to the
    // latest progress only once the previous write finished, so no update is lost.
    async Task Update(Func<RunProgress, RunProgress> change)
    {
        await writeLock.WaitAsync();
        try
        {
            var previous = progress.State;
            progress.State = change(previous);
            try { await progress.WriteStateAsync(); }
            catch { progress.State = previous; throw; }
        }
        finally { writeLock.Release(); }
    }
}

using System.Collections.Immutable;
using Apo.Abstractions;
using Apo.Abstractions.Generation;
using Apo.Abstractions.Prompts;
using Apo.Abstractions.Runs;
using Apo.Abstractions.StageOne;
using Apo.Abstractions.Training;
using Apo.Algorithm;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Apo.Grains.Runs;

/// <summary>
/// The coordinator of one run: stage 1 spread over generator grains in work units (A*-PO only), then
/// stage 2 by the run's TrainerGrain. <see cref="Start"/> answers at once; a background loop in the grain's own
/// context drives the phases and persists progress after every work unit, so calling Start again
/// after a crash continues from the last completed unit. Reentrant so status calls answer while the
/// loop awaits generators; the loop and the calls still run one at a time on the grain's scheduler.
/// </summary>
[Reentrant]
[Apo.Abstractions.Placement.TrainerSilosOnly]
public sealed class RunGrain(
    [PersistentState("run", ApoStorageNames.Grains)] IPersistentState<RunState> state,
    IOptions<RunOptions> options,
    ILogger<RunGrain> logger) : Grain, IRunGrain
{
    readonly RunOptions settings = options.Value;
    readonly SemaphoreSlim writeLock = new(1, 1);
    Task? driving;
    bool cancelRequested;

    string Key => this.GetPrimaryKeyString();

    /// <inheritdoc />
    public async Task<RunStatus> Start(RunSpec spec)
    {
        RunSpecs.Check(Key, spec);
        if (spec.EvalPromptIds.IsDefault) spec = spec with { EvalPromptIds = [] };
        if (state.State.Spec is { } stored && RunSpecs.Difference(stored, spec) is { } field)
            throw new InvalidDataException(
                $"run \"{Key}\" was started with a different {field}; a run id names one run: use a new run id for a new spec");

        if (driving is { IsCompleted: false }) return Status();
        if (state.State.Phase == RunPhase.Completed) return Status();

        cancelRequested = false;
        // Only A*-PO regresses onto V̂*: the baselines go straight to stage 2 on every training prompt.
        bool needsStageOne = StageTwoAlgorithms.Parse(spec.StageTwo.Algorithm).UsesOptimalValues();
        var phase = state.State.Spec is null || state.State.Phase is RunPhase.NotStarted or RunPhase.Failed or RunPhase.Cancelled
            ? (state.State.StageTwoPromptIds is null && needsStageOne ? RunPhase.StageOne : RunPhase.StageTwo)
            : state.State.Phase;
        await Update(s => s with { Spec = spec, Phase = phase, Error = null });
        driving = DriveAsync();
        return Status();
    }

    /// <inheritdoc />
    public Task<RunStatus> GetStatus()
    {
        // An activation that finds its run in progress but no loop driving it was re-created after its
        // silo died (cluster mode): the client's next status call resumes the run where it stopped.
        if (driving is null && !cancelRequested && state.State.Spec is not null && state.State.Phase is RunPhase.StageOne or RunPhase.StageTwo)
        {
            logger.LogWarning("run {Run}: resuming {Phase} in a new activation", Key, state.State.Phase);
            driving = DriveAsync();
        }
        return Task.FromResult(Status());
    }

    /// <inheritdoc />
    public async Task Cancel()
    {
        cancelRequested = true;
        if (state.State.Phase == RunPhase.StageTwo)
            await GrainFactory.GetGrain<ITrainerGrain>(Key).Stop();
        if (driving is null or { IsCompleted: true } && state.State.Phase is RunPhase.StageOne or RunPhase.StageTwo)
            await Update(s => s with { Phase = RunPhase.Cancelled });
    }

    RunStatus Status()
    {
        var s = state.State;
        return new RunStatus(Key, s.Phase, s.StageOneDone, s.Spec?.TrainPromptIds.Length ?? 0, s.TrainerIteration, s.Error);
    }

    /// <summary>Runs the remaining phases; every failure ends in a Failed phase with its message, never an unobserved exception.</summary>
    async Task DriveAsync()
    {
        // The loop is not a grain call, so Orleans would otherwise collect an activation that looks idle.
        DelayDeactivation(TimeSpan.FromDays(7));
        try
        {
            if (state.State.Phase == RunPhase.StageOne) await StageOne();
            if (cancelRequested) { await Update(s => s with { Phase = RunPhase.Cancelled }); return; }
            if (state.State.Phase == RunPhase.StageTwo) await StageTwo();
        }
        catch (Exception e)
        {
            logger.LogError(e, "run {Run} failed in {Phase}", Key, state.State.Phase);
            try { await Update(s => s with { Phase = RunPhase.Failed, Error = $"{s.Phase}: {e.Message}" }); }
            catch (Exception write) { logger.LogError(write, "run {Run}: could not store the failure", Key); }
        }
        finally
        {
            DelayDeactivation(TimeSpan.FromSeconds(-1));
        }
    }

    async Task StageOne()
    {
        var spec = state.State.Spec!;
        var provenance = spec.StageOne.ProvenanceFor(spec.Reference.Hash);
        var units = WorkUnits(spec, provenance);
        var completed = state.State.CompletedWorkUnits.ToHashSet(StringComparer.Ordinal);
        var queue = new Queue<StageOneWorkUnit>(units.Where(u => !completed.Contains(u.WorkUnitId)));
        int generators = Math.Max(1, settings.Generators);
        logger.LogInformation("run {Run}: stage 1, {Pending} of {Total} work units to do on {Generators} generators",
            Key, queue.Count, units.Count, generators);

        // One worker per generator; a failed unit is retried on the next generator, so one bad silo cannot stall the run.
        await Task.WhenAll(Enumerable.Range(0, generators).Select(async worker =>
        {
            while (!cancelRequested && queue.TryDequeue(out var unit))
            {
                await RunUnit(unit, worker, generators);
                await Update(s => s with
                {
                    CompletedWorkUnits = s.CompletedWorkUnits.Add(unit.WorkUnitId),
                    StageOneDone = s.StageOneDone + unit.PromptIds.Length,
                });
            }
        }));
        if (cancelRequested) return;

        var kept = spec.StageOne.DropAllZeroPrompts ? await NonZeroPrompts(spec.TrainPromptIds, provenance) : spec.TrainPromptIds;
        logger.LogInformation("run {Run}: stage 1 done; {Kept} of {Total} prompts go to stage 2", Key, kept.Length, spec.TrainPromptIds.Length);
        await Update(s => s with { Phase = RunPhase.StageTwo, StageTwoPromptIds = kept });
    }

    async Task RunUnit(StageOneWorkUnit unit, int firstGenerator, int generators)
    {
        int attempts = Math.Max(1, settings.AttemptsPerWorkUnit);
        for (int attempt = 0; ; attempt++)
        {
            int generator = (firstGenerator + attempt) % generators;
            try
            {
                await GrainFactory.GetGrain<IGeneratorGrain>(generator).RunStageOne(unit);
                return;
            }
            catch (InvalidDataException)
            {
                throw; // bad input fails the same way everywhere
            }
            catch (Exception e) when (attempt + 1 < attempts)
            {
                logger.LogWarning(e, "run {Run}: work unit {Unit} failed on generator {Generator}; retrying on another", Key, unit.WorkUnitId, generator);
                // A dead silo's grains come back elsewhere only once membership declares it dead (seconds
                // to tens of seconds): wait longer after each failure instead of burning the attempts at once.
                await Task.Delay(settings.RetryDelay * (attempt + 1));
            }
        }
    }

    async Task<ImmutableArray<string>> NonZeroPrompts(ImmutableArray<string> ids, StageOneProvenance provenance)
    {
        var records = await Task.WhenAll(ids.Select(id => GrainFactory.GetGrain<IPromptGrain>(id).GetStageOne(provenance)));
        for (int i = 0; i < ids.Length; i++)
            if (records[i] is null) throw new InvalidDataException($"run \"{Key}\": prompt '{ids[i]}' has no stage-1 record after stage 1");
        return ids.Where((_, i) => records[i]!.Samples.Any(s => s.Reward > 0)).ToImmutableArray();
    }

    async Task StageTwo()
    {
        var spec = state.State.Spec!;
        var prompts = state.State.StageTwoPromptIds ?? spec.TrainPromptIds;
        if (spec.StageTwo.Iterations <= 0 || prompts.Length == 0)
        {
            // Nothing to train (a stage-1-only run, or every prompt filtered out).
            await Update(s => s with { Phase = RunPhase.Completed });
            return;
        }
        var trainer = GrainFactory.GetGrain<ITrainerGrain>(Key);
        var plan = new StageTwoPlan(Key, spec.Reference, spec.StageOne.ProvenanceFor(spec.Reference.Hash), prompts, spec.StageTwo, spec.OutputDirectory)
        {
            EvalPromptIds = spec.EvalPromptIds.IsDefault ? [] : spec.EvalPromptIds,
        };
        var status = await trainer.Start(plan);
        while (true)
        {
            if (status.Iteration != state.State.TrainerIteration) await Update(s => s with { TrainerIteration = status.Iteration });
            switch (status.Phase)
            {
                case TrainerPhase.Finished:
                    await Update(s => s with { Phase = RunPhase.Completed });
                    return;
                case TrainerPhase.Failed:
                    throw new InvalidOperationException($"trainer failed: {status.Error}");
                case TrainerPhase.Stopped:
                    await Update(s => s with { Phase = RunPhase.Cancelled });
                    return;
            }
            await Task.Delay(settings.TrainerPollInterval);
            status = await trainer.GetStatus();
        }
    }

    /// <summary>Work units in prompt order; ids are stable across restarts because the spec is.</summary>
    static List<StageOneWorkUnit> WorkUnits(RunSpec spec, StageOneProvenance provenance) =>
        spec.TrainPromptIds.Chunk(spec.StageOne.PromptsPerWorkUnit)
            .Select((ids, i) => new StageOneWorkUnit(spec.RunId, $"{spec.RunId}/stage1/{i:D6}", spec.Reference, provenance, ids.ToImmutableArray()))
            .ToList();

    // Background workers and calls may want to write at the same time: each change is applied to the
    // latest state only once the previous write finished, so no update is lost.
    async Task Update(Func<RunState, RunState> change)
    {
        await writeLock.WaitAsync();
        try
        {
            var previous = state.State;
            state.State = change(previous);
            try { await state.WriteStateAsync(); }
            catch { state.State = previous; throw; }
        }
        finally { writeLock.Release(); }
    }
}

using System.Diagnostics;
using Apo.Abstractions;
using Apo.Abstractions.Generation;
using Apo.Abstractions.Training;
using Apo.Abstractions.Weights;
using Apo.Algorithm;
using Apo.Common.Randomness;
using Apo.Grains.Dispatch;
using Apo.Grains.Runtime;
using Apo.Grains.Weights;
using Apo.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Apo.Grains.Training;

/// <summary>
/// Stage 2 of one run (keyed by run id), for A*-PO or a baseline. <see cref="Start"/> returns at once;
/// a background loop in the grain's context then runs the iterations: take the next batch of the
/// seeded shuffle, split it into the plan's fixed chunks, have the generator pool sample the algorithm's
/// rollouts per prompt (1, or 2 for GRPO and REBEL) chunk by chunk, update the policy on the device
/// executor, publish the next weight version, append a metrics line and checkpoint every K iterations.
/// Reentrant so that status calls are served while the loop awaits (all turns still run one at a time on
/// the grain's scheduler). A deactivation (a graceful silo shutdown, a rolling update) pauses the loop and
/// leaves the phase Training, so the next activation resumes from the last checkpoint; only
/// <see cref="Stop"/> records Stopped.
/// </summary>
[Reentrant]
[Apo.Abstractions.Placement.TrainerSilosOnly]
public sealed class TrainerGrain(
    [PersistentState("trainer", ApoStorageNames.Grains)] IPersistentState<TrainerState> state,
    TensorRuntime runtime,
    IWeightStore weightStore,
    IGeneratorDirectory generators,
    IOptions<DispatchOptions> dispatch,
    IOptions<Generation.GeneratorOptions> sampling,
    Runs.RunConfinement confinement,
    ILogger<TrainerGrain> logger) : Grain, ITrainerGrain
{
    /// <summary>File of per-iteration metrics under the output directory.</summary>
    public const string MetricsFileName = "metrics.jsonl";
    /// <summary>Folder of checkpoints under the output directory.</summary>
    public const string CheckpointsFolderName = "checkpoints";
    /// <summary>Folder of the final policy under the output directory.</summary>
    public const string PolicyFolderName = "policy";

    Task? loop;
    // Stop: an explicit stop (recorded as Stopped); pause: the activation is ending (the phase stays Training).
    CancellationTokenSource stopping = new(), pausing = new();

    string Key => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A silo crash or shutdown leaves "training" recorded with no loop running: pick up from the last checkpoint.
        if (state.State is { Phase: TrainerPhase.Training, Plan: { } plan, PlanHash: { } hash })
        {
            logger.LogInformation("Trainer {Run} was training when its activation ended; resuming", Key);
            loop = DriveAsync(plan, hash);
        }
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        pausing.Cancel();
        if (loop is { IsCompleted: false } running)
        {
            try { await running.WaitAsync(cancellationToken); }
            catch (OperationCanceledException) { logger.LogWarning("Trainer {Run} deactivated before its loop finished ({Reason})", Key, reason); }
        }
    }

    /// <inheritdoc />
    public Task<TrainerStatus> Start(StageTwoPlan plan)
    {
        PlanChecks.Validate(Key, plan, confinement);
        dispatch.Value.Validate();
        string hash = PlanHash.Compute(plan);
        if (state.State.PlanHash is { } stored && stored != hash)
            throw new InvalidDataException(
                $"run '{Key}': a different stage-2 plan ({stored}) was already started under this run id; the new plan is {hash}. " +
                "Start a new run id to train with changed settings, prompts or reference.");
        if (loop is { IsCompleted: false }) return Task.FromResult(Status());
        if (state.State.PlanHash == hash && state.State.Phase == TrainerPhase.Finished) return Task.FromResult(Status());

        // The output directory may hold a checkpoint of another plan (e.g. after grain storage was lost).
        var latest = Checkpoints(plan).Latest();
        if (latest is { } found && found.Checkpoint.PlanHash != hash)
            throw new InvalidDataException(
                $"{Path.Combine(found.Path, TrainerCheckpoint.FileName)}: this checkpoint belongs to plan {found.Checkpoint.PlanHash}, " +
                $"not to the plan of run '{Key}' ({hash}); use another output directory");

        state.State.Plan = plan;
        state.State.PlanHash = hash;
        state.State.Phase = TrainerPhase.Training;
        state.State.Error = null;
        stopping = new();
        loop = DriveAsync(plan, hash);
        return Task.FromResult(Status());
    }

    /// <inheritdoc />
    public Task<TrainerStatus> GetStatus() => Task.FromResult(Status());

    /// <inheritdoc />
    public Task<WeightVersion> GetCurrentWeights() =>
        state.State.Weights is { } weights ? Task.FromResult(weights)
        : state.State.Plan is { } plan ? Task.FromResult(new WeightVersion(0, plan.Reference.Location))
        : throw new InvalidOperationException($"run '{Key}': the trainer has not been started");

    /// <inheritdoc />
    public async Task Stop()
    {
        stopping.Cancel();
        if (loop is { } running) await running;
    }

    TrainerStatus Status() => new(Key, state.State.Phase, state.State.Iteration, state.State.Weights?.Version ?? 0,
        state.State.RolloutsConsumed, state.State.LastLoss, state.State.Error);

    static CheckpointStore Checkpoints(StageTwoPlan plan) => new(Path.Combine(plan.OutputDirectory, CheckpointsFolderName));

    async Task DriveAsync(StageTwoPlan plan, string hash)
    {
        TrainerSession? session = null;
        try
        {
            // Newer than any incarnation the state or the run directory has seen (grain storage may have been lost).
            state.State.Epoch = Math.Max(state.State.Epoch, TrainerFence.Newest(plan.OutputDirectory) ?? 0) + 1;
            await state.WriteStateAsync(); // refused (ETag) when another incarnation wrote the state since this one read it
            var fence = TrainerFence.Claim(plan.OutputDirectory, state.State.Epoch);
            long epoch = fence.Epoch;
            var settings = plan.Settings;
            var checkpoints = Checkpoints(plan);
            var metrics = new MetricsLog(Path.Combine(plan.OutputDirectory, MetricsFileName));
            checkpoints.RemoveStaging();
            var latest = checkpoints.Latest();
            if (latest is { } found && found.Checkpoint.PlanHash != hash)
                throw new InvalidDataException($"{Path.Combine(found.Path, TrainerCheckpoint.FileName)}: this checkpoint belongs to plan " +
                    $"{found.Checkpoint.PlanHash}, not to the plan of run '{Key}' ({hash}); use another output directory");
            var resumed = latest?.Checkpoint;
            metrics.CutBackTo(resumed?.Iteration ?? 0);
            var tensorBoard = TensorBoardLog.Rebuild(plan.OutputDirectory, metrics);

            long iteration = resumed?.Iteration ?? 0;
            var position = resumed?.Position ?? DataPosition.Start;
            long consumed = resumed?.RolloutsConsumed ?? 0;
            long checkpointed = resumed?.Iteration ?? -1;

            session = await runtime.Executor.Run(() => TrainerSession.Open(runtime, plan, latest?.Path));
            var open = session;
            // Version 0 is the reference itself, which every generator loads from the reference: nothing to upload.
            // A resumed run republishes its starting version: after a restart the weight store may not hold it any more.
            var published = iteration == 0 ? new WeightVersion(0, plan.Reference.Location)
                : await PublishAsync(fence, iteration, open);
            Record(iteration, published, consumed, state.State.LastLoss);
            await state.WriteStateAsync();
            if (resumed is not null) logger.LogInformation("Trainer {Run} resumes after iteration {Iteration}", Key, iteration);

            var evalPrompts = await HeldOutAccuracy.LoadPromptsAsync(GrainFactory, plan.EvalPromptIds);
            var schedule = new BatchSchedule(plan.PromptIds, settings.PromptsPerBatch, settings.Seed);
            var engine = sampling.Value.ToSamplerSettings(plan.Engine);
            using var halt = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token, pausing.Token);
            while (iteration < settings.Iterations && !halt.IsCancellationRequested)
            {
                DelayDeactivation(TimeSpan.FromHours(1));
                var clock = Stopwatch.StartNew();
                var (batch, next) = schedule.Take(position);
                IReadOnlyList<Rollout> rollouts;
                try { rollouts = await CollectAsync(plan, iteration, batch, published, engine, epoch, halt.Token); }
                catch (OperationCanceledException) when (halt.IsCancellationRequested) { break; }
                var update = await runtime.Executor.Run(() => open.Update(rollouts));
                long version = iteration + 1;
                published = await PublishAsync(fence, version, open);
                double seconds = clock.Elapsed.TotalSeconds;
                Diagnostics.ApoMetrics.Rollouts.Add(rollouts.Count);
                Diagnostics.ApoMetrics.StepSeconds.Record(seconds);
                Diagnostics.ApoMetrics.WeightVersionLag.Record(version - 1 - rollouts.Select(r => r.WeightVersion).DefaultIfEmpty(version - 1).Min());

                iteration++;
                position = next;
                consumed += rollouts.Count;
                long tokens = rollouts.Sum(r => (long)r.PromptTokenIds.Length + r.ResponseTokenIds.Length);
                bool checkpoint = iteration % settings.CheckpointEvery == 0 || iteration == settings.Iterations;
                double? heldOut = checkpoint && evalPrompts.Count > 0
                    ? await runtime.Executor.Run(() => HeldOutAccuracy.Measure(open.Policy, open.Tokenizer, evalPrompts, settings.Sampling.MaxNewTokens, engine))
                    : null;
                fence.Check("a metrics line");
                var line = new IterationMetrics(iteration, update.MeanReward, update.Loss, update.KlPerSequence, update.MeanVStar,
                    update.MeanResponseLength, tokens / Math.Max(seconds, 1e-9), seconds, update.GradientNorm, heldOut);
                metrics.Append(line);
                tensorBoard.Append(line);
                if (checkpoint)
                {
                    await SaveCheckpointAsync(fence, checkpoints, open, new TrainerCheckpoint(iteration, position, version, hash, consumed, 0));
                    checkpointed = iteration;
                }
                Record(iteration, published, consumed, update.Loss);
                await state.WriteStateAsync();
            }

            if (checkpointed != iteration)
                await SaveCheckpointAsync(fence, checkpoints, open, new TrainerCheckpoint(iteration, position, iteration, hash, consumed, 0));
            if (iteration >= settings.Iterations)
            {
                fence.Check("the final policy");
                await runtime.Executor.Run(() => ModelDirectory.Save(Path.Combine(plan.OutputDirectory, PolicyFolderName), open.Policy, open.Tokenizer));
                state.State.Phase = TrainerPhase.Finished;
            }
            // Only an explicit stop is Stopped; paused by the end of the activation, the phase stays Training and the
            // next activation resumes.
            else if (stopping.IsCancellationRequested) state.State.Phase = TrainerPhase.Stopped;
            await state.WriteStateAsync();
            logger.LogInformation("Trainer {Run} {Phase} after iteration {Iteration}", Key, state.State.Phase, iteration);
        }
        catch (Exception e) when (e is SupersededTrainerException or Orleans.Storage.InconsistentStateException)
        {
            // A newer incarnation owns the run: write nothing more, not even a failure.
            logger.LogWarning("Trainer {Run} stops: {Reason}", Key, e.Message);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Trainer {Run} failed", Key);
            state.State.Phase = TrainerPhase.Failed;
            state.State.Error = e.Message;
            try { await state.WriteStateAsync(); }
            catch (Exception write) { logger.LogError(write, "Trainer {Run} could not record its failure", Key); }
        }
        finally
        {
            if (session is { } toDispose) await runtime.Executor.Run(toDispose.Dispose);
        }
    }

    void Record(long iteration, WeightVersion published, long consumed, double? loss)
    {
        state.State.Iteration = iteration;
        state.State.Weights = published;
        state.State.RolloutsConsumed = consumed;
        state.State.LastLoss = loss;
    }

    /// <summary>Publishes the policy as <paramref name="version"/>, stamped with this incarnation, once the fence still holds.</summary>
    async Task<WeightVersion> PublishAsync(TrainerFence fence, long version, TrainerSession session)
    {
        fence.Check($"weight version {version}");
        var published = await runtime.Executor.Run(() => weightStore.Publish(Key, version, session.Policy, session.Tokenizer));
        return published with { TrainerEpoch = fence.Epoch };
    }

    async Task SaveCheckpointAsync(TrainerFence fence, CheckpointStore checkpoints, TrainerSession session, TrainerCheckpoint checkpoint)
    {
        fence.Check($"checkpoint {checkpoint.Iteration}");
        await runtime.Executor.Run(() =>
            checkpoints.Save(checkpoint with { OptimizerSteps = session.OptimizerSteps }, session.SaveTo));
    }

    /// <summary>
    /// Has the generator pool sample the batch's rollouts, chunk by chunk, and returns them in batch order
    /// (prompt, then sample index). The chunks are fixed by the plan and the seed by the step, so a chunk
    /// retried on another generator draws the same samples.
    /// </summary>
    async Task<IReadOnlyList<Rollout>> CollectAsync(StageTwoPlan plan, long step, string[] batch, WeightVersion weights,
        Apo.Model.Inference.SamplerSettings engine, long epoch, CancellationToken cancellation)
    {
        var algorithm = StageTwoAlgorithms.Parse(plan.Settings.Algorithm);
        int samplesPerPrompt = algorithm.ResponsesPerPrompt();
        long seed = StableSeed.Derive(plan.Settings.Seed, "stage2-rollouts", "iteration", step);
        var wireEngine = new GenerationEngine(engine.Slots, engine.KvTokens);
        var chunks = RolloutChunks.Split(batch, plan.Settings.PromptsPerChunk, engine.Slots, samplesPerPrompt)
            .Select(chunk => new RolloutRequest(Key, step, weights, plan.Settings.Sampling, plan.StageOne, [.. chunk], samplesPerPrompt, seed,
                plan.Reference, NeedsVStar: algorithm.UsesOptimalValues(), Engine: wireEngine) { TrainerEpoch = epoch })
            .ToList();
        var pool = new WorkDispatcher(generators, dispatch.Value, logger);
        var answered = await pool.RunAsync(chunks,
            (generator, request, token) => GrainFactory.GetGrain<IGeneratorGrain>(generator).SampleRollouts(request, token),
            request => $"run '{Key}' step {step} chunk of {request.PromptIds.Length} prompts from '{request.PromptIds[0]}'",
            cancellation: cancellation);
        return RolloutChunks.InBatchOrder(step, epoch, batch, samplesPerPrompt, answered);
    }
}

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
    TensorRuntime tensors,
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
    TensorLane Lane => tensors.Training;

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

            session = await Lane.Executor.Run(() => TrainerSession.Open(Lane, plan, latest?.Path));
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
            var algorithm = StageTwoAlgorithms.Parse(settings.Algorithm);
            int k = settings.MaxStaleness;
            using var halt = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token, pausing.Token);
            // The reference scores each batch on the generation lane (its own thread when the silo has two), not in the update.
            var pipeline = new RolloutPipeline(schedule, k, settings.Iterations, iteration, position,
                batch => tensors.Generation.Executor.Run(() => TrainerSession.ScoreReference(tensors.Generation, plan, batch)));
            // Steps after the checkpoint that older versions sampled: the checkpoint kept their rollouts.
            if (latest is { } kept)
            {
                var adopted = PendingRollouts.Load(kept.Path);
                for (long s = iteration; s < Math.Min(iteration + k, settings.Iterations); s++)
                    pipeline.Adopt(s, adopted.TryGetValue(s, out var r) ? r
                        : throw new InvalidDataException($"{Path.Combine(kept.Path, PendingRollouts.FileName)}: the rollouts of step {s} are missing"),
                        algorithm.ResponsesPerPrompt());
            }
            void Launch(WeightVersion weights) => pipeline.LaunchReady(weights,
                (step, batch, version) => CollectAsync(plan, step, batch, version, engine, epoch, halt.Token));
            try
            {
                Launch(published);
                while (iteration < settings.Iterations && !halt.IsCancellationRequested)
                {
                    DelayDeactivation(TimeSpan.FromHours(1));
                    var clock = Stopwatch.StartNew();
                    var entry = pipeline.Take(iteration);
                    IReadOnlyList<Rollout> rollouts;
                    Apo.Engine.StageTwo.ReferenceScores reference;
                    try { (rollouts, reference) = (await entry.Rollouts, await entry.Reference); }
                    catch (OperationCanceledException) when (halt.IsCancellationRequested) { break; }
                    double rolloutWait = clock.Elapsed.TotalSeconds;
                    long staleness = StalenessOf(iteration, rollouts, k);
                    var update = await Lane.Executor.Run(() => open.Update(rollouts, reference));
                    long version = iteration + 1;
                    published = await PublishAsync(fence, version, open, retain: k + 1);
                    Launch(published); // the generators start on the batches this version samples before the step's bookkeeping
                    double weightWait = pipeline.TakeIdleSeconds();
                    double seconds = clock.Elapsed.TotalSeconds;
                    Diagnostics.ApoMetrics.Rollouts.Add(rollouts.Count);
                    Diagnostics.ApoMetrics.StepSeconds.Record(seconds);
                    Diagnostics.ApoMetrics.WeightVersionLag.Record(staleness);

                    iteration++;
                    position = entry.Next;
                    consumed += rollouts.Count;
                    long tokens = rollouts.Sum(r => (long)r.PromptTokenIds.Length + r.ResponseTokenIds.Length);
                    bool checkpoint = iteration % settings.CheckpointEvery == 0 || iteration == settings.Iterations;
                    double? heldOut = checkpoint && evalPrompts.Count > 0
                        ? await Lane.Executor.Run(() => HeldOutAccuracy.Measure(open.Policy, open.Tokenizer, evalPrompts, settings.Sampling.MaxNewTokens, engine))
                        : null;
                    fence.Check("a metrics line");
                    var line = new IterationMetrics(iteration, update.MeanReward, update.Loss, update.KlPerSequence, update.MeanVStar,
                        update.MeanResponseLength, tokens / Math.Max(seconds, 1e-9), seconds, update.GradientNorm, heldOut)
                    {
                        Staleness = staleness, RolloutWaitSeconds = rolloutWait, WeightWaitSeconds = weightWait,
                    };
                    metrics.Append(line);
                    tensorBoard.Append(line);
                    if (checkpoint)
                    {
                        IReadOnlyList<(long, IReadOnlyList<Rollout>)> ahead;
                        try { ahead = await AheadOfAsync(pipeline, iteration, k); }
                        catch (OperationCanceledException) when (halt.IsCancellationRequested) { break; }
                        await SaveCheckpointAsync(fence, checkpoints, open, new TrainerCheckpoint(iteration, position, version, hash, consumed, 0), ahead);
                        checkpointed = iteration;
                    }
                    Record(iteration, published, consumed, update.Loss);
                    await state.WriteStateAsync();
                }

                // Stopped or paused between checkpoints: checkpoint here when the steps sampled ahead are complete
                // (else the next start goes back to the last checkpoint, which gives the same result).
                if (checkpointed != iteration && Completed(pipeline, iteration, k) is { } ready)
                    await SaveCheckpointAsync(fence, checkpoints, open, new TrainerCheckpoint(iteration, position, iteration, hash, consumed, 0), ready);
            }
            finally
            {
                halt.Cancel();
                await pipeline.DrainAsync();
            }
            if (iteration >= settings.Iterations)
            {
                fence.Check("the final policy");
                await Lane.Executor.Run(() => ModelDirectory.Save(Path.Combine(plan.OutputDirectory, PolicyFolderName), open.Policy, open.Tokenizer));
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
            if (session is { } toDispose) await Lane.Executor.Run(toDispose.Dispose);
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
    async Task<WeightVersion> PublishAsync(TrainerFence fence, long version, TrainerSession session, int retain = IWeightStore.DefaultRetain)
    {
        fence.Check($"weight version {version}");
        var published = await Lane.Executor.Run(() => weightStore.Publish(Key, version, session.Policy, session.Tokenizer, Math.Max(IWeightStore.DefaultRetain, retain)));
        return published with { TrainerEpoch = fence.Epoch };
    }

    async Task SaveCheckpointAsync(TrainerFence fence, CheckpointStore checkpoints, TrainerSession session, TrainerCheckpoint checkpoint,
        IReadOnlyList<(long Step, IReadOnlyList<Rollout> Rollouts)> ahead)
    {
        fence.Check($"checkpoint {checkpoint.Iteration}");
        await Lane.Executor.Run(() =>
            checkpoints.Save(checkpoint with { OptimizerSteps = session.OptimizerSteps }, directory =>
            {
                session.SaveTo(directory);
                if (ahead.Count > 0) PendingRollouts.Save(directory, ahead);
            }));
    }

    /// <summary>How many versions the batch's rollouts are behind the policy of step <paramref name="step"/>; more than k is a bug, never trained on.</summary>
    static long StalenessOf(long step, IReadOnlyList<Rollout> rollouts, int maxStaleness)
    {
        long staleness = rollouts.Count == 0 ? 0 : step - rollouts.Min(r => r.WeightVersion);
        if (staleness > maxStaleness || rollouts.Any(r => r.WeightVersion > step))
            throw new InvalidOperationException($"step {step}: rollouts sampled with weight versions {rollouts.Min(r => r.WeightVersion)}.." +
                $"{rollouts.Max(r => r.WeightVersion)}, outside the staleness bound {maxStaleness}");
        return staleness;
    }

    /// <summary>The rollouts of the steps a checkpoint after iteration <paramref name="iteration"/> must keep (i .. i + k − 1), once sampled.</summary>
    static async Task<IReadOnlyList<(long, IReadOnlyList<Rollout>)>> AheadOfAsync(RolloutPipeline pipeline, long iteration, int k)
    {
        var kept = new List<(long, IReadOnlyList<Rollout>)>();
        foreach (var entry in pipeline.Pending.Where(e => e.Step < iteration + k)) kept.Add((entry.Step, await entry.Rollouts));
        return kept;
    }

    /// <summary>Those rollouts when every one of their steps has finished sampling; null when one has not (or failed).</summary>
    static IReadOnlyList<(long, IReadOnlyList<Rollout>)>? Completed(RolloutPipeline pipeline, long iteration, int k)
    {
        var ahead = pipeline.Pending.Where(e => e.Step < iteration + k).ToList();
        return ahead.All(e => e.Rollouts.IsCompletedSuccessfully) ? ahead.Select(e => (e.Step, e.Rollouts.Result)).ToList() : null;
    }

    /// <summary>
    /// Has the generator pool sample the batch's rollouts, chunk by chunk, and returns them in batch order
    /// (prompt, then sample index). The chunks are fixed by the plan and the seed by the step, so a chunk
    /// retried on another generator draws the same samples.
    /// </summary>
    async Task<IReadOnlyList<Rollout>> CollectAsync(StageTwoPlan plan, long step, string[] batch, WeightVersion weights,
        Apo.Model.Inference.SamplerSettings engine, long epoch, CancellationToken cancellation)
    {
        await Task.Yield(); // the pipeline launches steps in a loop: let each one's dispatch start on its own turn
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

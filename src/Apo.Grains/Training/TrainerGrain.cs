using System.Diagnostics;
using Apo.Abstractions;
using Apo.Abstractions.Generation;
using Apo.Abstractions.Training;
using Apo.Abstractions.Weights;
using Apo.Algorithm;
using Apo.Common.Randomness;
using Apo.Grains.Runtime;
using Apo.Grains.Weights;
using Apo.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Streams;

namespace Apo.Grains.Training;

/// <summary>
/// Stage 2 of one run (keyed by run id), for A*-PO or a baseline. <see cref="Start"/> returns at once;
/// a background loop in the grain's context then runs the iterations: take the next batch of the
/// seeded shuffle, ask the generators for the algorithm's rollouts per prompt (1, or 2 for GRPO and
/// REBEL), gather them from the run's rollout stream, update the policy on the device executor,
/// publish the next weight version, append a metrics line and checkpoint every K iterations. Reentrant so that status calls and stream items are served while
/// the loop awaits (all turns still run one at a time on the grain's scheduler).
/// </summary>
[Reentrant]
[Apo.Abstractions.Placement.TrainerSilosOnly]
public sealed class TrainerGrain(
    [PersistentState("trainer", ApoStorageNames.Grains)] IPersistentState<TrainerState> state,
    TensorRuntime runtime,
    IWeightStore weightStore,
    IOptions<TrainerOptions> options,
    IOptions<Generation.GeneratorOptions> sampling,
    ILogger<TrainerGrain> logger) : Grain, ITrainerGrain
{
    /// <summary>File of per-iteration metrics under the output directory.</summary>
    public const string MetricsFileName = "metrics.jsonl";
    /// <summary>Folder of checkpoints under the output directory.</summary>
    public const string CheckpointsFolderName = "checkpoints";
    /// <summary>Folder of the final policy under the output directory.</summary>
    public const string PolicyFolderName = "policy";

    Task? loop;
    TaskCompletionSource stopSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    RolloutCollector? collector;

    string Key => this.GetPrimaryKeyString();

    IAsyncStream<Rollout> RolloutStream =>
        this.GetStreamProvider(ApoStreams.ProviderName).GetStream<Rollout>(StreamId.Create(ApoStreams.RolloutNamespace, Key));

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Explicit subscriptions outlive activations: reattach the handler (and drop surplus handles).
        var handles = await RolloutStream.GetAllSubscriptionHandles();
        for (int i = 0; i < handles.Count; i++)
        {
            if (i == 0) await handles[i].ResumeAsync(OnRolloutAsync);
            else await handles[i].UnsubscribeAsync();
        }
        // A silo crash leaves "training" recorded with no loop running: pick up from the last checkpoint.
        if (state.State is { Phase: TrainerPhase.Training, Plan: { } plan, PlanHash: { } hash })
        {
            logger.LogInformation("Trainer {Run} was training when its activation ended; resuming", Key);
            loop = DriveAsync(plan, hash);
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        stopSignal.TrySetResult();
        if (loop is { IsCompleted: false } running)
        {
            try { await running.WaitAsync(cancellationToken); }
            catch (OperationCanceledException) { logger.LogWarning("Trainer {Run} deactivated before its loop finished ({Reason})", Key, reason); }
        }
    }

    /// <inheritdoc />
    public Task<TrainerStatus> Start(StageTwoPlan plan)
    {
        PlanChecks.Validate(Key, plan);
        options.Value.Validate();
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
        stopSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
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
        stopSignal.TrySetResult();
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
            await state.WriteStateAsync();
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

            long iteration = resumed?.Iteration ?? 0;
            var position = resumed?.Position ?? DataPosition.Start;
            long consumed = resumed?.RolloutsConsumed ?? 0;
            long checkpointed = resumed?.Iteration ?? -1;

            session = await runtime.Executor.Run(() => TrainerSession.Open(runtime, plan, latest?.Path));
            var open = session;
            // Republish the starting version: after a restart the weight store may not hold it any more.
            var published = await runtime.Executor.Run(() => weightStore.Publish(Key, iteration, open.Policy, open.Tokenizer));
            Record(iteration, published, consumed, state.State.LastLoss);
            await state.WriteStateAsync();
            await EnsureSubscribedAsync();
            if (resumed is not null) logger.LogInformation("Trainer {Run} resumes after iteration {Iteration}", Key, iteration);

            var evalPrompts = await HeldOutAccuracy.LoadPromptsAsync(GrainFactory, plan.EvalPromptIds);
            var schedule = new BatchSchedule(plan.PromptIds, settings.PromptsPerBatch, settings.Seed);
            while (iteration < settings.Iterations && !stopSignal.Task.IsCompleted)
            {
                DelayDeactivation(TimeSpan.FromHours(1));
                var clock = Stopwatch.StartNew();
                var (batch, next) = schedule.Take(position);
                var rollouts = await CollectAsync(plan, iteration, batch, published);
                if (rollouts is null) break; // stop requested while waiting
                var update = await runtime.Executor.Run(() => open.Update(rollouts));
                long version = iteration + 1;
                published = await runtime.Executor.Run(() => weightStore.Publish(Key, version, open.Policy, open.Tokenizer));
                double seconds = clock.Elapsed.TotalSeconds;

                iteration++;
                position = next;
                consumed += rollouts.Count;
                long tokens = rollouts.Sum(r => (long)r.PromptTokenIds.Length + r.ResponseTokenIds.Length);
                bool checkpoint = iteration % settings.CheckpointEvery == 0 || iteration == settings.Iterations;
                double? heldOut = checkpoint && evalPrompts.Count > 0
                    ? await runtime.Executor.Run(() => HeldOutAccuracy.Measure(open.Policy, open.Tokenizer, evalPrompts, settings.Sampling.MaxNewTokens, sampling.Value.ToSamplerSettings()))
                    : null;
                metrics.Append(new IterationMetrics(iteration, update.MeanReward, update.Loss, update.KlPerSequence, update.MeanVStar,
                    update.MeanResponseLength, tokens / Math.Max(seconds, 1e-9), seconds, update.GradientNorm, heldOut));
                if (checkpoint)
                {
                    await SaveCheckpointAsync(checkpoints, open, new TrainerCheckpoint(iteration, position, version, hash, consumed, 0));
                    checkpointed = iteration;
                }
                Record(iteration, published, consumed, update.Loss);
                await state.WriteStateAsync();
            }

            if (checkpointed != iteration)
                await SaveCheckpointAsync(checkpoints, open, new TrainerCheckpoint(iteration, position, iteration, hash, consumed, 0));
            if (iteration >= settings.Iterations)
            {
                await runtime.Executor.Run(() => ModelDirectory.Save(Path.Combine(plan.OutputDirectory, PolicyFolderName), open.Policy, open.Tokenizer));
                state.State.Phase = TrainerPhase.Finished;
                await UnsubscribeAsync();
            }
            else state.State.Phase = TrainerPhase.Stopped;
            await state.WriteStateAsync();
            logger.LogInformation("Trainer {Run} {Phase} after iteration {Iteration}", Key, state.State.Phase, iteration);
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
            collector = null;
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

    async Task SaveCheckpointAsync(CheckpointStore checkpoints, TrainerSession session, TrainerCheckpoint checkpoint)
    {
        await runtime.Executor.Run(() =>
            checkpoints.Save(checkpoint with { OptimizerSteps = session.OptimizerSteps }, session.SaveTo));
    }

    /// <summary>
    /// Asks the generators for the batch's rollouts and waits for them on the stream. A request
    /// is repeated for the prompts still missing when the rollouts do not arrive in time (the
    /// seed is the same, so a repeat draws the same samples); null when stopped meanwhile.
    /// </summary>
    async Task<IReadOnlyList<Rollout>?> CollectAsync(StageTwoPlan plan, long step, string[] batch, WeightVersion weights)
    {
        var settings = options.Value;
        var algorithm = StageTwoAlgorithms.Parse(plan.Settings.Algorithm);
        int samplesPerPrompt = algorithm.ResponsesPerPrompt();
        var gathering = new RolloutCollector(step, batch, samplesPerPrompt);
        collector = gathering;
        long seed = StableSeed.Derive(plan.Settings.Seed, "stage2-rollouts", "iteration", step);
        string? lastError = null;
        string[] missing = batch;
        for (int attempt = 1; attempt <= settings.MaxRolloutAttempts; attempt++)
        {
            var calls = Slices(missing, settings.Generators)
                .Select((slice, g) => GrainFactory.GetGrain<IGeneratorGrain>(g).PublishRollouts(new RolloutRequest(
                    Key, step, weights, plan.Settings.Sampling, plan.StageOne, [.. slice], samplesPerPrompt, seed, plan.Reference,
                    NeedsVStar: algorithm.UsesOptimalValues())))
                .ToArray();
            var requests = Task.WhenAll(calls);
            using var timer = new CancellationTokenSource();
            var deadline = Task.Delay(settings.RolloutTimeout, timer.Token);
            var first = await Task.WhenAny(gathering.Completion, requests, deadline, stopSignal.Task);
            if (first == requests && !gathering.Completion.IsCompleted)
            {
                if (requests.IsFaulted) lastError = requests.Exception!.GetBaseException().Message;
                else await Task.WhenAny(gathering.Completion, deadline, stopSignal.Task); // published: let the stream deliver
            }
            timer.Cancel();
            if (gathering.Completion.IsCompleted)
            {
                collector = null;
                return gathering.InBatchOrder();
            }
            if (stopSignal.Task.IsCompleted) return null;
            missing = gathering.MissingPromptIds();
            logger.LogWarning("Trainer {Run} step {Step}: {Missing} of {Total} rollouts missing after attempt {Attempt}; asking again ({Error})",
                Key, step, missing.Length, batch.Length, attempt, lastError ?? "timed out");
        }
        throw new TimeoutException(
            $"run '{Key}' step {step}: {missing.Length} of {batch.Length} prompts still have no rollout after " +
            $"{settings.MaxRolloutAttempts} requests ({settings.RolloutTimeout} each)" + (lastError is null ? "" : $"; last generator error: {lastError}"));
    }

    /// <summary>Contiguous, nearly equal slices for generators 0..n−1 (empty ones left out).</summary>
    static IEnumerable<string[]> Slices(string[] prompts, int generators)
    {
        int n = Math.Min(generators, prompts.Length);
        for (int g = 0; g < n; g++)
        {
            int start = prompts.Length * g / n, end = prompts.Length * (g + 1) / n;
            yield return prompts[start..end];
        }
    }

    Task OnRolloutAsync(Rollout rollout, StreamSequenceToken? token)
    {
        collector?.Offer(rollout);
        return Task.CompletedTask;
    }

    async Task EnsureSubscribedAsync()
    {
        if ((await RolloutStream.GetAllSubscriptionHandles()).Count == 0)
            await RolloutStream.SubscribeAsync(OnRolloutAsync);
    }

    async Task UnsubscribeAsync()
    {
        foreach (var handle in await RolloutStream.GetAllSubscriptionHandles()) await handle.UnsubscribeAsync();
    }
}

using System.Collections.Immutable;
using Apo.Abstractions;
using Apo.Abstractions.Generation;
using Apo.Abstractions.Placement;
using Apo.Abstractions.Prompts;
using Apo.Abstractions.StageOne;
using Apo.Abstractions.Training;
using Apo.Abstractions.Weights;
using Apo.Grains.Runtime;
using Apo.Grains.Weights;
using Apo.Model;
using Sampler = Apo.Model.Inference.Sampler;
using SamplerSettings = Apo.Model.Inference.SamplerSettings;
using Apo.Model.Qwen2;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WireSequence = Apo.Abstractions.Generation.GeneratedSequence;

using Apo.Grains.Runs;

namespace Apo.Grains.Generation;

/// <summary>
/// One model replica on a generator silo. Stage 1 samples from the silo's shared, frozen reference
/// (<see cref="TensorLane.Shared"/> of the generation lane); stage 2 and plain generation sample from this grain's own
/// policy replica, loaded by version from the <see cref="IWeightStore"/> (version 0 is the
/// reference's own weights). All tensor work runs on the silo's generation lane.
/// </summary>
/// <remarks>
/// Reentrant, so the pool's second call in flight fetches its prompts while the first samples, and the
/// first records its results while the second samples: the device never waits for storage. The device
/// work of one call at a time (load a version, sample) is serialised by <see cref="deviceTurn"/>, so the
/// replica is never reloaded while it samples.
/// </remarks>
[GeneratorSilosOnly]
[SiloBound] // the pool keys one replica per generator silo by the silo's address
[Orleans.Concurrency.Reentrant]
public sealed class GeneratorGrain(TensorRuntime tensors, IWeightStore store, IOptions<GeneratorOptions> generatorOptions, RunConfinement confinement,
    ILogger<GeneratorGrain> logger)
    : Grain, IGeneratorGrain
{
    // Generation has a lane of its own when the silo runs two (then sampling overlaps the trainer's updates).
    readonly TensorLane runtime = tensors.Generation;
    readonly SemaphoreSlim deviceTurn = new(1, 1);

    readonly SamplerSettings siloEngine = generatorOptions.Value.BatchSize > 0 && generatorOptions.Value.KvTokens >= 0
        ? generatorOptions.Value.ToSamplerSettings()
        : throw new InvalidDataException($"generator batch size is {generatorOptions.Value.BatchSize} and KV budget {generatorOptions.Value.KvTokens} tokens; the batch size must be positive and the budget >= 0");

    /// <summary>Seed purpose of stage-1 sampling (with the provenance seed, the prompt id and the sample index).</summary>
    public const string StageOnePurpose = "stage1";

    /// <summary>Seed purpose of the rollouts of a stage-2 step: a retried step draws the same samples.</summary>
    public static string RolloutPurpose(long step) => $"stage2/step{step}";

    Qwen2ForCausalLM? replica;
    string? replicaReference;   // full path of the reference directory the replica's architecture came from
    WeightVersion? loaded;      // null while nothing (or something half-loaded) is in the replica
    string? lastReference;      // reference of the last call that named one, for requests that do not
    readonly Dictionary<string, string> verifiedHashes = new(StringComparer.Ordinal);
    readonly Dictionary<string, long> newestEpoch = new(StringComparer.Ordinal); // per run: the newest trainer incarnation served

    /// <inheritdoc />
    public async Task<StageOneWorkResult> RunStageOne(StageOneWorkUnit work, CancellationToken cancellation = default)
    {
        if (work is null) throw new InvalidDataException("stage-1 work unit is missing");
        string what = $"stage-1 work unit \"{work.WorkUnitId}\" of run \"{work.RunId}\"";
        if (work.Provenance?.Problem() is { } problem) throw new InvalidDataException($"{what}: {problem}");
        if (work.Provenance is null) throw new InvalidDataException($"{what}: provenance is missing");
        if (work.Reference is null || string.IsNullOrWhiteSpace(work.Reference.Location))
            throw new InvalidDataException($"{what}: reference model location is missing");
        RunConfinement.CheckRunId(what, "run id", work.RunId);
        confinement.CheckPath(what, "reference location", work.Reference.Location);
        if (work.Reference.Hash != work.Provenance.ReferenceModelHash)
            throw new InvalidDataException(
                $"{what}: reference hash {work.Reference.Hash} differs from the provenance's {work.Provenance.ReferenceModelHash}");
        var options = TaskSampling.Options(work.Provenance.Sampling, what);
        var engine = Engine(work.Engine, what);
        var ids = work.PromptIds.IsDefault ? [] : work.PromptIds.Distinct(StringComparer.Ordinal).ToArray();
        lastReference = work.Reference.Location;

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var prompts = ids.Select(id => GrainFactory.GetGrain<IPromptGrain>(id)).ToArray();
        var specs = await Specs(ids, prompts, what);
        var present = await Task.WhenAll(prompts.Select(p => p.GetVStar(work.Provenance)));
        var pending = specs.Where((_, i) => present[i] is null).ToList();
        int alreadyPresent = ids.Length - pending.Count;
        if (pending.Count == 0) return new StageOneWorkResult(work.WorkUnitId, 0, alreadyPresent, 0);
        var reads = clock.Elapsed;

        var simulation = generatorOptions.Value.Simulation;
        if (!simulation.Enabled) await VerifyReferenceHash(work.Reference);
        var samples = await OnDevice(async () =>
        {
            if (simulation.Enabled) return await Simulate(simulation, pending, work.Provenance.Samples, options.MaxNewTokens, work.Provenance.Seed, StageOnePurpose, cancellation);
            return await runtime.Executor.Run(() =>
            {
                var reference = runtime.Shared(work.Reference.Location);
                return TaskSampling.Sample(reference.Model, reference.Tokenizer, pending, work.Provenance.Samples,
                    options, work.Provenance.Seed, StageOnePurpose, engine);
            });
        }, cancellation);
        var sampled = clock.Elapsed;

        // Racing units (a retry on another generator) may record first; PromptGrain keeps the first.
        var outcomes = await Task.WhenAll(pending.Select(spec =>
            GrainFactory.GetGrain<IPromptGrain>(spec.PromptId).RecordStageOne(work.Provenance,
                samples[spec.PromptId].Select(s => new StageOneSample(
                    s.ResponseIds.ToImmutableArray(), s.Text, s.Reward, s.Finished, s.Failure)).ToImmutableArray())));
        int recorded = outcomes.Count(o => !o.WasDuplicate);
        int failures = samples.Values.Sum(list => list.Count(s => s.Failure is not null));
        Diagnostics.ApoMetrics.StageOnePrompts.Add(recorded);
        Diagnostics.ApoMetrics.VerifierFailures.Add(failures);
        Diagnostics.ApoMetrics.GeneratedTokens.Add(samples.Values.Sum(list => list.Sum(s => (long)s.ResponseIds.Length)));
        // Where a unit's time goes (reads, waiting for and using the device, writes): the control plane's cost shows here.
        logger.LogInformation("{What}: recorded {Recorded}, already present {Present}, verifier failures {Failures}; " +
            "reads {Reads:F0} ms, device {Device:F0} ms, records {Records:F0} ms",
            what, recorded, alreadyPresent + outcomes.Length - recorded, failures,
            reads.TotalMilliseconds, (sampled - reads).TotalMilliseconds, (clock.Elapsed - sampled).TotalMilliseconds);
        return new StageOneWorkResult(work.WorkUnitId, recorded, alreadyPresent + outcomes.Length - recorded, failures);
    }

    /// <inheritdoc />
    public async Task<ImmutableArray<Rollout>> SampleRollouts(RolloutRequest request, CancellationToken cancellation = default)
    {
        if (request is null) throw new InvalidDataException("rollout request is missing");
        string what = $"rollouts of step {request.Step} of run \"{request.RunId}\"";
        if (string.IsNullOrWhiteSpace(request.RunId)) throw new InvalidDataException($"{what}: run id is empty");
        if (request.SamplesPerPrompt < 1) throw new InvalidDataException($"{what}: samples per prompt is {request.SamplesPerPrompt}; it must be ≥ 1");
        if (request.StageOne is null) throw new InvalidDataException($"{what}: stage-1 provenance is missing");
        if (request.Weights is null) throw new InvalidDataException($"{what}: weight version is missing");
        var options = TaskSampling.Options(request.Sampling, what);
        var engine = Engine(request.Engine, what);
        // Fencing: once a newer trainer incarnation of the run has asked, an older one (a zombie) is refused.
        if (newestEpoch.TryGetValue(request.RunId, out long newest) && request.TrainerEpoch < newest)
            throw new InvalidDataException($"{what}: trainer incarnation {request.TrainerEpoch} was superseded by incarnation {newest}");
        newestEpoch[request.RunId] = request.TrainerEpoch;
        var ids = request.PromptIds.IsDefault ? [] : request.PromptIds.Distinct(StringComparer.Ordinal).ToArray();
        if (ids.Length == 0) return [];

        var prompts = ids.Select(id => GrainFactory.GetGrain<IPromptGrain>(id)).ToArray();
        var specs = await Specs(ids, prompts, what);
        var vStars = request.NeedsVStar
            ? await Task.WhenAll(prompts.Select(p => p.GetVStar(request.StageOne)))
            : ids.Select(_ => (double?)double.NaN).ToArray();
        for (int i = 0; i < ids.Length; i++)
            if (vStars[i] is null)
                throw new InvalidDataException($"{what}: prompt '{ids[i]}' has no stage-1 V̂* for this provenance; run stage 1 first");

        var simulation = generatorOptions.Value.Simulation;
        var samples = await OnDevice(async () =>
        {
            if (simulation.Enabled)
                return await Simulate(simulation, specs, request.SamplesPerPrompt, options.MaxNewTokens, request.Seed, RolloutPurpose(request.Step), cancellation);
            await EnsureLoaded(request.Weights, request.Reference, what);
            var tokenizerDir = replicaReference!;
            return await runtime.Executor.Run(() => TaskSampling.Sample(replica!, runtime.Shared(tokenizerDir).Tokenizer, specs,
                request.SamplesPerPrompt, options, request.Seed, RolloutPurpose(request.Step), engine));
        }, cancellation);

        var rollouts = ImmutableArray.CreateBuilder<Rollout>(specs.Length * request.SamplesPerPrompt);
        for (int i = 0; i < specs.Length; i++)
            foreach (var s in samples[specs[i].PromptId])
                rollouts.Add(new Rollout(specs[i].PromptId, request.Step, s.SampleIndex, specs[i].PromptTokenIds,
                    s.ResponseIds.ToImmutableArray(), s.SamplingLogProbs.ToImmutableArray(), s.Finished, s.Reward,
                    vStars[i]!.Value, request.Weights.Version) { TrainerEpoch = request.TrainerEpoch });
        var done = rollouts.MoveToImmutable();
        Diagnostics.ApoMetrics.GeneratedTokens.Add(done.Sum(r => (long)r.ResponseTokenIds.Length));
        Diagnostics.ApoMetrics.VerifierFailures.Add(samples.Values.Sum(list => list.Count(x => x.Failure is not null)));
        return done;
    }

    /// <inheritdoc />
    public async Task<GenerationResult> Generate(GenerationRequest request)
    {
        if (request is null) throw new InvalidDataException("generation request is missing");
        string what = $"generation request \"{request.RequestId}\"";
        if (request.Weights is null) throw new InvalidDataException($"{what}: weight version is missing");
        var options = TaskSampling.Options(request.Sampling, what);
        var items = request.Sequences.IsDefault ? [] : request.Sequences.ToArray();
        if (items.Length > GenerationRequest.MaxSequences)
            throw new InvalidDataException($"{what}: {items.Length} sequences; at most {GenerationRequest.MaxSequences} per request");
        for (int i = 0; i < items.Length; i++)
            if (items[i] is null || items[i].PromptTokenIds.IsDefaultOrEmpty)
                throw new InvalidDataException($"{what}: sequence {i} has no prompt token ids");

        var sequences = await OnDevice(async () =>
        {
            await EnsureLoaded(request.Weights, request.Reference, what);
            return await runtime.Executor.Run(() =>
            {
                // One continuous batch for the whole request; consecutive sequences with equal prompts share a prefill.
                var generated = Sampler.Generate(replica!, items.Select(s => s.PromptTokenIds.ToArray()).ToList(), options,
                    items.Select(s => s.Seed).ToList(), siloEngine);
                return items.Select((item, i) => new WireSequence(item.PromptId, generated.Sequences[i].TokenIds.ToImmutableArray(),
                    generated.Sequences[i].LogProbs.ToImmutableArray(), generated.Sequences[i].Finished)).ToImmutableArray();
            });
        }, CancellationToken.None);
        return new GenerationResult(request.RequestId, request.Weights.Version, sequences);
    }

    /// <inheritdoc />
    public Task<WeightVersion?> GetLoadedWeights() => Task.FromResult(loaded);

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (replica is { } model)
        {
            replica = null;
            loaded = null;
            await runtime.Executor.Run(model.Dispose);
        }
        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    /// <summary>The run's batch shape when the call names one, else this silo's generation settings.</summary>
    SamplerSettings Engine(GenerationEngine? requested, string what) =>
        requested?.Problem() is { } problem ? throw new InvalidDataException($"{what}: {problem}")
        : generatorOptions.Value.ToSamplerSettings(requested);

    /// <summary>The simulated device: well-formed samples after the time a real one would take, without using the CPU.</summary>
    static async Task<Dictionary<string, Apo.Engine.Rollouts.ScoredSample[]>> Simulate(GenerationSimulation simulation, IReadOnlyList<PromptSpec> prompts,
        int samplesPerPrompt, int maxNewTokens, long seed, string purpose, CancellationToken cancellation)
    {
        var (samples, latency) = SimulatedSampling.Sample(simulation, prompts, samplesPerPrompt, maxNewTokens, seed, purpose);
        if (latency > TimeSpan.Zero) await Task.Delay(latency, cancellation);
        return samples;
    }

    /// <summary>Runs one call's device work (loading a version, sampling) after the previous call's, never beside it.</summary>
    async Task<T> OnDevice<T>(Func<Task<T>> work, CancellationToken cancellation)
    {
        await deviceTurn.WaitAsync(cancellation);
        try
        {
            cancellation.ThrowIfCancellationRequested(); // superseded while it queued: the pool gave the work to another generator
            return await work();
        }
        finally { deviceTurn.Release(); }
    }

    static async Task<PromptSpec[]> Specs(string[] ids, IPromptGrain[] prompts, string what)
    {
        var specs = await Task.WhenAll(prompts.Select(p => p.GetSpec()));
        for (int i = 0; i < ids.Length; i++)
            if (specs[i] is null) throw new InvalidDataException($"{what}: prompt '{ids[i]}' is not initialized (no PromptGrain spec)");
        return specs!;
    }

    /// <summary>Brings the requested version into the replica, building the replica from the reference's config first if needed.</summary>
    async Task EnsureLoaded(WeightVersion version, ReferenceModel? reference, string what)
    {
        if (reference is not null) confinement.CheckPath(what, "reference location", reference.Location);
        string referenceDir = Path.GetFullPath(ReferenceDirectory(version, reference, what));
        if (reference is not null) lastReference = reference.Location;
        if (loaded == version && replicaReference == referenceDir && replica is not null) return;

        loaded = null; // a failed load may leave the replica half-written
        await runtime.Executor.Run(() =>
        {
            var source = runtime.Shared(referenceDir);
            if (replica is null || replicaReference != referenceDir)
            {
                replica?.Dispose();
                replica = null;
                replica = Qwen2ForCausalLM.Uninitialised(source.Config, runtime.Executor.Device, source.Model.DType, forInference: true);
                replica.eval();
                replicaReference = referenceDir;
            }
            if (version.Version == 0)
                replica.LoadWeights(source.Model.ParametersByName().ToDictionary(p => p.Key, p => (TorchSharp.torch.Tensor)p.Value), referenceDir);
            else
                store.LoadInto(version, replica);
        });
        loaded = version;
        logger.LogInformation("{What}: loaded weight version {Version} from {Location}", what, version.Version, version.Location);
    }

    string ReferenceDirectory(WeightVersion version, ReferenceModel? reference, string what)
    {
        if (reference is not null && !string.IsNullOrWhiteSpace(reference.Location)) return reference.Location;
        if (Directory.Exists(version.Location) && File.Exists(Path.Combine(version.Location, ModelDirectory.ConfigFileName)))
            return version.Location;
        return lastReference ?? throw new InvalidDataException(
            $"{what}: cannot tell which reference model the replica is built from: the request names no reference and " +
            $"weight location \"{version.Location}\" is not a model directory");
    }

    /// <summary>Checks, once per activation and location, that the reference files are the ones the provenance names.</summary>
    async Task VerifyReferenceHash(ReferenceModel reference)
    {
        string dir = Path.GetFullPath(reference.Location);
        if (!verifiedHashes.TryGetValue(dir, out var hash))
        {
            hash = await Task.Run(() => ModelDirectory.ContentHash(dir));
            verifiedHashes[dir] = hash;
        }
        if (hash != reference.Hash)
            throw new InvalidDataException(
                $"{dir}: the reference model's content hash is {hash}, not {reference.Hash} as the run expects; " +
                "the reference changed since the run started");
    }
}

using System.Collections.Immutable;
using Apo.Abstractions;
using Apo.Abstractions.Prompts;
using Apo.Abstractions.StageOne;
using Apo.Abstractions.Training;
using Apo.Abstractions.Weights;
using Apo.Grains.Runtime;
using Apo.Grains.Training;
using Apo.Grains.Weights;
using Apo.Hosting;
using Apo.Hosting.Placement;
using Apo.Model;
using Apo.Model.Qwen2;
using Apo.Model.Text;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Apo.Grains.Tests.Training;

/// <summary>
/// What the trainer tests share: a tiny reference model directory on disk, five prompts with
/// imported stage-1 results, and a way to start a fresh one-silo cluster that hosts the trainer and
/// the real GeneratorGrain (memory storage and streams, an in-process weight store, a CPU runtime).
/// </summary>
public sealed class TrainerWorld : IDisposable
{
    public const int PromptCount = 5;

    public TrainerWorld()
    {
        Root = Path.Combine(Path.GetTempPath(), "apo-trainer-tests-" + Guid.NewGuid().ToString("N"));
        ReferenceDirectory = Path.Combine(Root, "reference");
        var tokenizer = BpeTrainer.Train(["question one two three four five", "answer #### 1 2 3 4 5", "one two three"], 290);
        var config = new Qwen2Config
        {
            VocabSize = 300,
            HiddenSize = 32,
            IntermediateSize = 64,
            NumHiddenLayers = 2,
            NumAttentionHeads = 4,
            NumKeyValueHeads = 2,
            MaxPositionEmbeddings = 128,
            TieWordEmbeddings = true,
            EosTokenIdList = [tokenizer.EosId],
        };
        TorchSharp.torch.manual_seed(11);
        using (var model = new Qwen2ForCausalLM(config)) ModelDirectory.Save(ReferenceDirectory, model, tokenizer);
        Reference = new ReferenceModel(ReferenceDirectory, ModelDirectory.ContentHash(ReferenceDirectory));
        StageOne = new StageOneProvenance(Reference.Hash, 0.5, 2, new SamplingSettings(1.0, 1.0, 0, 6), 7);
        Prompts = Enumerable.Range(0, PromptCount)
            .Select(i => new PromptSpec($"tp-{i}", $"question {i}", [.. tokenizer.Encode($"question {i} one two")], $"{i % 3}",
                "gsm8k-flexible", $"trainer-tests line {i + 1}"))
            .ToImmutableArray();
    }

    public string Root { get; }
    public string ReferenceDirectory { get; }
    public ReferenceModel Reference { get; }
    public StageOneProvenance StageOne { get; }
    public ImmutableArray<PromptSpec> Prompts { get; }

    public string NewOutputDirectory() => Path.Combine(Root, "out-" + Guid.NewGuid().ToString("N")[..8]);

    public StageTwoPlan Plan(string runId, string output, int iterations = 4, int checkpointEvery = 2, double learningRate = 0.02,
        string algorithm = "astar-po", int maxStaleness = 0) => new(
        runId, Reference, StageOne, [.. Prompts.Select(p => p.PromptId)],
        new StageTwoSettings(algorithm, Beta2: 0.1, LearningRate: learningRate, WeightDecay: 0.01, GradientClipNorm: 1.0,
            PromptsPerBatch: 2, MiniBatchesPerBatch: 1, Iterations: iterations, Sampling: new SamplingSettings(1.0, 1.0, 0, 6),
            CheckpointEvery: checkpointEvery, EntropyCoefficient: 0, Seed: 1234) { MaxStaleness = maxStaleness },
        output);

    /// <summary>
    /// A fresh cluster (nothing survives from an earlier one but the files) with the prompts and, unless
    /// <paramref name="withStageOne"/> is false, their stage-1 results.
    /// </summary>
    public async Task<TestCluster> StartClusterAsync(bool withStageOne = true)
    {
        var cluster = new TestClusterBuilder(1).AddSiloBuilderConfigurator<TrainerSilo>().Build();
        await cluster.DeployAsync();
        foreach (var spec in Prompts)
        {
            var grain = cluster.GrainFactory.GetGrain<IPromptGrain>(spec.PromptId);
            await grain.Initialize(spec);
            if (!withStageOne) continue;
            var samples = Enumerable.Range(0, StageOne.Samples)
                .Select(j => new StageOneSample([5, 6, 7], j == 0 ? "#### 1" : "#### 0", j == 0 ? 1.0 : 0.0, true, null))
                .ToImmutableArray();
            await grain.ImportStageOne(StageOne, samples);
        }
        return cluster;
    }

    /// <summary>Polls the trainer until it is no longer training; fails the test on a trainer failure.</summary>
    public static async Task<TrainerStatus> WaitUntilDoneAsync(ITrainerGrain trainer, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        while (true)
        {
            var status = await trainer.GetStatus();
            if (status.Phase == TrainerPhase.Failed) Assert.Fail($"trainer failed: {status.Error}");
            if (status.Phase is TrainerPhase.Finished or TrainerPhase.Stopped) return status;
            if (DateTime.UtcNow > deadline) Assert.Fail($"trainer still {status.Phase} at iteration {status.Iteration} after the timeout");
            await Task.Delay(50);
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }

    sealed class TrainerSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            silo.AddMemoryGrainStorage(ApoStorageNames.Grains);
            silo.AddMemoryGrainStorage(ApoStorage.PubSubStoreName);
            silo.AddMemoryStreams(ApoStreams.ProviderName);
            silo.UseApoRole("trainer,generator").AddApoPlacement();
            silo.Services.AddSingleton(_ => new TensorRuntime("cpu"));
            silo.Services.AddSingleton<IWeightStore>(_ => new InProcessWeightStore());
            // Every world's folder is under the temp directory: the runs root of this test silo.
            silo.Services.AddSingleton(new Apo.Grains.Runs.RunConfinement(Path.GetTempPath()));
            silo.Services.Configure<Apo.Grains.Dispatch.DispatchOptions>(o => o.CallTimeout = TimeSpan.FromSeconds(20));
        }
    }
}

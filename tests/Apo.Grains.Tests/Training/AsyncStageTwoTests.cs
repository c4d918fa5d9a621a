using Apo.Abstractions.Training;
using Apo.Grains.Training;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Apo.Grains.Tests.Training;

/// <summary>Asynchronous stage 2 (max staleness k ≥ 1): bounded staleness, determinism, resume and the baselines' refusal.</summary>
[Collection(TrainerCollection.Name)]
public sealed class AsyncStageTwoTests(TrainerWorld world)
{
    static string Weights(string dir) => Path.Combine(dir, TrainerGrain.PolicyFolderName, "model.safetensors");

    async Task<string> TrainAsync(string runId, int maxStaleness, int iterations = 5, int checkpointEvery = 2)
    {
        string output = world.NewOutputDirectory();
        await using var cluster = await world.StartClusterAsync();
        var trainer = cluster.GrainFactory.GetGrain<ITrainerGrain>(runId);
        await trainer.Start(world.Plan(runId, output, iterations, checkpointEvery, maxStaleness: maxStaleness));
        var done = await TrainerWorld.WaitUntilDoneAsync(trainer);
        Assert.Equal(TrainerPhase.Finished, done.Phase);
        Assert.Equal(iterations, done.Iteration);
        return output;
    }

    [Fact]
    public async Task WithStalenessOneEachBatchIsSampledOneVersionBehindAndTheRunIsTheSameEveryTime()
    {
        string first = await TrainAsync("async-a", maxStaleness: 1);
        string second = await TrainAsync("async-b", maxStaleness: 1);
        string synchronous = await TrainAsync("async-sync", maxStaleness: 0);

        // Batch t is sampled with version max(0, t − 1): the line of step n (batch n − 1) is min(n − 1, 1) versions stale.
        var lines = new MetricsLog(Path.Combine(first, TrainerGrain.MetricsFileName)).ReadMetrics();
        Assert.Equal([0L, 1L, 1L, 1L, 1L], lines.Select(l => l.Staleness).ToArray());
        Assert.All(lines, l => Assert.True(l.RolloutWaitSeconds >= 0 && l.WeightWaitSeconds >= 0 && double.IsFinite(l.WeightWaitSeconds),
            $"step {l.Step}: rollout wait {l.RolloutWaitSeconds}, weight wait {l.WeightWaitSeconds}"));
        Assert.All(new MetricsLog(Path.Combine(synchronous, TrainerGrain.MetricsFileName)).ReadMetrics(), l => Assert.Equal(0, l.Staleness));

        // The version that samples a batch depends on the step and k, never on timing: two runs train the same weights.
        Assert.Equal(File.ReadAllBytes(Weights(first)), File.ReadAllBytes(Weights(second)));
        Assert.Equal(MetricValues(first), MetricValues(second));
        // Stale samples are other samples: k = 1 is not the synchronous run.
        Assert.NotEqual(File.ReadAllBytes(Weights(synchronous)), File.ReadAllBytes(Weights(first)));
        // Only an asynchronous checkpoint keeps rollouts sampled ahead (step 2's and 4's after iterations 2 and 4; none after the last).
        var checkpoints = new CheckpointStore(Path.Combine(first, TrainerGrain.CheckpointsFolderName));
        Assert.Equal([4L, 5L], checkpoints.Steps());
        Assert.Equal([4L], PendingRollouts.Load(checkpoints.PathOf(4)).Keys.ToArray());
        Assert.Empty(PendingRollouts.Load(checkpoints.PathOf(5)));
        Assert.False(File.Exists(Path.Combine(new CheckpointStore(Path.Combine(synchronous, TrainerGrain.CheckpointsFolderName)).PathOf(4),
            PendingRollouts.FileName)));
    }

    [Fact]
    public async Task TheRolloutsOfABatchWereDrawnByTheVersionOneBehindThePolicyThatTrainsOnThem()
    {
        string output = world.NewOutputDirectory();
        await using var cluster = await world.StartClusterAsync();
        var trainer = cluster.GrainFactory.GetGrain<ITrainerGrain>("async-drawn");
        await trainer.Start(world.Plan("async-drawn", output, iterations: 3, checkpointEvery: 1, maxStaleness: 1));
        Assert.Equal(TrainerPhase.Finished, (await TrainerWorld.WaitUntilDoneAsync(trainer)).Phase);

        // The checkpoint after iteration 2 kept step 2's rollouts, labelled version 1. Their sampling log-probs (temperature 1,
        // top-p 1) must be version 1's own log-probs of those tokens: scored again under version 1 they agree, under version 2 not.
        var rollouts = PendingRollouts.Load(new CheckpointStore(Path.Combine(output, TrainerGrain.CheckpointsFolderName)).PathOf(2))[2];
        Assert.All(rollouts, r => Assert.Equal(1, r.WeightVersion));
        var store = ((InProcessSiloHandle)cluster.Primary).SiloHost.Services.GetRequiredService<Apo.Grains.Weights.IWeightStore>();
        var runtime = ((InProcessSiloHandle)cluster.Primary).SiloHost.Services.GetRequiredService<Apo.Grains.Runtime.TensorRuntime>();
        double Gap(long version) => runtime.Training.Executor.Run(() =>
        {
            var reference = runtime.Training.Shared(world.ReferenceDirectory);
            using var replica = Apo.Model.Qwen2.Qwen2ForCausalLM.Uninitialised(reference.Config, reference.Model.Device, reference.Model.DType, forInference: true);
            store.LoadInto(new Apo.Abstractions.Weights.WeightVersion(version, Apo.Grains.Weights.InProcessWeightStore.LocationOf("async-drawn", version)), replica);
            var scores = Apo.Model.Inference.Scorer.Score(replica, rollouts.Select(r => r.PromptTokenIds.ToArray()).ToArray(),
                rollouts.Select(r => r.ResponseTokenIds.ToArray()).ToArray(), 0);
            return rollouts.Select((r, i) => r.SamplingLogProbs.Zip(scores[i].TokenLogProbs, (a, b) => Math.Abs(a - b)).Max()).Max();
        }).GetAwaiter().GetResult();
        Assert.InRange(Gap(1), 0, 1e-4);
        Assert.True(Gap(2) > 1e-3, $"version 2 scores the tokens within {Gap(2)}: the check could not tell the versions apart");
    }

    [Fact]
    public async Task AnAsynchronousRunResumedFromACheckpointEndsWithTheUninterruptedWeightsBitForBit()
    {
        string output = await TrainAsync("async-resume", maxStaleness: 1, iterations: 6, checkpointEvery: 2);
        string uninterrupted = output + "-uninterrupted";
        TrainerGrainTests.CopyDirectory(output, uninterrupted);

        // A crash right after iteration 4's checkpoint: its rollouts of step 4 (sampled by version 3, which no store keeps
        // across the restart) are what the resumed run must train on.
        var checkpoints = new CheckpointStore(Path.Combine(output, TrainerGrain.CheckpointsFolderName));
        var kept = PendingRollouts.Load(checkpoints.PathOf(4));
        Assert.All(kept[4], r => Assert.Equal(3, r.WeightVersion));
        Directory.Delete(checkpoints.PathOf(6), recursive: true);
        File.WriteAllText(Path.Combine(checkpoints.Directory, CheckpointStore.LatestFileName), "step-4\n");
        Directory.Delete(Path.Combine(output, TrainerGrain.PolicyFolderName), recursive: true);

        await using (var cluster = await world.StartClusterAsync())
        {
            var trainer = cluster.GrainFactory.GetGrain<ITrainerGrain>("async-resume");
            await trainer.Start(world.Plan("async-resume", output, iterations: 6, checkpointEvery: 2, maxStaleness: 1));
            var done = await TrainerWorld.WaitUntilDoneAsync(trainer);
            Assert.Equal(6, done.Iteration);
        }
        Assert.Equal(File.ReadAllBytes(Weights(uninterrupted)), File.ReadAllBytes(Weights(output)));
        Assert.Equal(MetricValues(uninterrupted), MetricValues(output));
        var resumed = new MetricsLog(Path.Combine(output, TrainerGrain.MetricsFileName)).Read();
        var original = new MetricsLog(Path.Combine(uninterrupted, TrainerGrain.MetricsFileName)).Read();
        // Lines 1–4 were kept, not redone: the run really resumed.
        Assert.Equal(original.Take(4).Select(l => l.ToJsonString()), resumed.Take(4).Select(l => l.ToJsonString()));
    }

    [Fact]
    public async Task ACheckpointWhoseRolloutsAreMissingIsRefusedByName()
    {
        string output = await TrainAsync("async-missing", maxStaleness: 1, iterations: 4, checkpointEvery: 2);
        var checkpoints = new CheckpointStore(Path.Combine(output, TrainerGrain.CheckpointsFolderName));
        File.Delete(Path.Combine(checkpoints.PathOf(2), PendingRollouts.FileName));
        File.WriteAllText(Path.Combine(checkpoints.Directory, CheckpointStore.LatestFileName), "step-2\n");
        Directory.Delete(Path.Combine(output, TrainerGrain.PolicyFolderName), recursive: true);

        await using var cluster = await world.StartClusterAsync();
        var trainer = cluster.GrainFactory.GetGrain<ITrainerGrain>("async-missing");
        await trainer.Start(world.Plan("async-missing", output, iterations: 4, checkpointEvery: 2, maxStaleness: 1));
        TrainerStatus status;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((status = await trainer.GetStatus()).Phase == TrainerPhase.Training && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Equal(TrainerPhase.Failed, status.Phase);
        Assert.Contains(Path.Combine(checkpoints.PathOf(2), PendingRollouts.FileName), status.Error);
        Assert.Contains("step 2", status.Error);
    }

    [Theory]
    [InlineData("grpo")]
    [InlineData("rebel")]
    [InlineData("ppo")]
    public async Task ABaselineWithStalenessIsRefusedNamingTheSetting(string algorithm)
    {
        await using var cluster = await world.StartClusterAsync(withStageOne: false);
        var plan = world.Plan("async-" + algorithm, world.NewOutputDirectory(), algorithm: algorithm, maxStaleness: 1);
        var trainer = cluster.GrainFactory.GetGrain<ITrainerGrain>(plan.RunId);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => trainer.Start(plan));
        Assert.Contains("max staleness is 1", error.Message);
        Assert.Contains(algorithm, error.Message);
        Assert.Contains("importance-sampling correction", error.Message);
        Assert.False(Directory.Exists(plan.OutputDirectory));
    }

    static string[] MetricValues(string output) =>
        new MetricsLog(Path.Combine(output, TrainerGrain.MetricsFileName)).ReadMetrics()
            .Select(l => $"{l.Step} {l.Loss:R} {l.MeanReward:R} {l.KlPerSequence:R} {l.MeanResponseLength:R} {l.Staleness}").ToArray();
}

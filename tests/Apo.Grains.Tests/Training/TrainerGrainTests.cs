using Apo.Abstractions.Training;
using Apo.Grains.Training;

namespace Apo.Grains.Tests.Training;

[Collection(TrainerCollection.Name)]
public sealed class TrainerGrainTests(TrainerWorld world)
{
    [Fact]
    public async Task AnIterationConsumesTheGeneratorsRolloutsAndWritesFiniteMetrics()
    {
        await using var cluster = await world.StartClusterAsync();
        string output = world.NewOutputDirectory();
        var plan = world.Plan("run-one", output, iterations: 1, checkpointEvery: 5);
        var trainer = cluster.GrainFactory.GetGrain<ITrainerGrain>(plan.RunId);

        var started = await trainer.Start(plan);
        Assert.Equal(TrainerPhase.Training, started.Phase);
        var done = await TrainerWorld.WaitUntilDoneAsync(trainer);

        Assert.Equal(TrainerPhase.Finished, done.Phase);
        Assert.Equal(1, done.Iteration);
        Assert.Equal(1, done.WeightVersion);
        // One rollout per prompt of the batch: nothing counted twice.
        Assert.Equal(plan.Settings.PromptsPerBatch, done.RolloutsConsumed);
        Assert.Equal(1, (await trainer.GetCurrentWeights()).Version);

        var lines = new MetricsLog(Path.Combine(output, TrainerGrain.MetricsFileName)).Read();
        var line = Assert.Single(lines);
        Assert.Equal(1, (long)line["step"]!);
        foreach (var field in new[] { "mean_reward", "loss", "kl_per_sequence", "mean_vstar", "mean_response_length", "tokens_per_second", "step_seconds" })
            Assert.True(line[field] is not null && double.IsFinite((double)line[field]!), $"{field} is {line[field]}");
        // The prompts' V̂* is β1·ln((e^(1/β1) + 1)/2) for rewards {1, 0} at β1 = 0.5: 0.5·ln((e² + 1)/2) ≈ 0.7169.
        Assert.Equal(0.5 * Math.Log((Math.Exp(2) + 1) / 2), (double)line["mean_vstar"]!, 6);
        Assert.InRange((double)line["mean_response_length"]!, 1, plan.Settings.Sampling.MaxNewTokens);
        Assert.True(Directory.Exists(Path.Combine(output, TrainerGrain.PolicyFolderName)));
        Assert.True(File.Exists(Path.Combine(output, "checkpoints", "step-1", CheckpointStore.OptimizerFileName)));

        // The same plan again is a no-op on a finished run; a changed plan for the run id is refused.
        var again = await trainer.Start(world.Plan("run-one", output, iterations: 1, checkpointEvery: 5));
        Assert.Equal(TrainerPhase.Finished, again.Phase);
        Assert.Equal(1, again.Iteration);
        var changed = world.Plan("run-one", output, iterations: 1, checkpointEvery: 5, learningRate: 0.5);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => trainer.Start(changed));
        Assert.Contains("run-one", error.Message);
        Assert.Contains("different stage-2 plan", error.Message);
    }

    [Fact]
    public async Task AResumedRunEndsWithTheUninterruptedRunsWeightsBitForBit()
    {
        string output = world.NewOutputDirectory();
        var plan = world.Plan("run-resume", output, iterations: 4, checkpointEvery: 2);
        string uninterrupted = output + "-uninterrupted";

        await using (var cluster = await world.StartClusterAsync())
        {
            var trainer = cluster.GrainFactory.GetGrain<ITrainerGrain>(plan.RunId);
            await trainer.Start(plan);
            var done = await TrainerWorld.WaitUntilDoneAsync(trainer);
            Assert.Equal(4, done.Iteration);
        }
        var checkpoints = new CheckpointStore(Path.Combine(output, TrainerGrain.CheckpointsFolderName));
        Assert.Equal([2L, 4L], checkpoints.Steps());
        Assert.Equal(4, checkpoints.Latest()!.Value.Checkpoint.Iteration);
        CopyDirectory(output, uninterrupted);

        // A crash right after iteration 2's checkpoint: later checkpoints and the final policy never
        // happened, but metrics lines 3 and 4 had already been appended.
        Directory.Delete(checkpoints.PathOf(4), recursive: true);
        File.WriteAllText(Path.Combine(checkpoints.Directory, CheckpointStore.LatestFileName), "step-2\n");
        Directory.Delete(Path.Combine(output, TrainerGrain.PolicyFolderName), recursive: true);

        await using (var cluster = await world.StartClusterAsync())
        {
            var trainer = cluster.GrainFactory.GetGrain<ITrainerGrain>(plan.RunId);
            await trainer.Start(plan);
            var done = await TrainerWorld.WaitUntilDoneAsync(trainer);
            Assert.Equal(TrainerPhase.Finished, done.Phase);
            Assert.Equal(4, done.Iteration);
            Assert.Equal(4 * plan.Settings.PromptsPerBatch, done.RolloutsConsumed);
        }

        string Weights(string dir) => Path.Combine(dir, TrainerGrain.PolicyFolderName, "model.safetensors");
        Assert.Equal(File.ReadAllBytes(Weights(uninterrupted)), File.ReadAllBytes(Weights(output)));
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(world.ReferenceDirectory, "model.safetensors")), File.ReadAllBytes(Weights(output)));

        var resumed = new MetricsLog(Path.Combine(output, TrainerGrain.MetricsFileName)).Read();
        var original = new MetricsLog(Path.Combine(uninterrupted, TrainerGrain.MetricsFileName)).Read();
        Assert.Equal([1L, 2L, 3L, 4L], resumed.Select(l => (long)l["step"]!).ToArray());
        // Lines 1 and 2 were kept, not redone (their timings would differ), so the run really resumed.
        Assert.Equal(original.Take(2).Select(l => l.ToJsonString()), resumed.Take(2).Select(l => l.ToJsonString()));
        foreach (var field in new[] { "loss", "mean_reward", "kl_per_sequence", "mean_response_length" })
            Assert.Equal(original.Select(l => (double)l[field]!).ToArray(), resumed.Select(l => (double)l[field]!).ToArray());
        Assert.Equal([2L, 4L], checkpoints.Steps());
    }

    [Fact]
    public async Task StopCheckpointsTheCurrentIterationAndStartContinuesFromIt()
    {
        await using var cluster = await world.StartClusterAsync();
        string output = world.NewOutputDirectory();
        var plan = world.Plan("run-stop", output, iterations: 50, checkpointEvery: 100);
        var trainer = cluster.GrainFactory.GetGrain<ITrainerGrain>(plan.RunId);
        await trainer.Start(plan);
        while ((await trainer.GetStatus()).Iteration < 1) await Task.Delay(20);

        await trainer.Stop();
        var stopped = await trainer.GetStatus();
        Assert.Equal(TrainerPhase.Stopped, stopped.Phase);
        Assert.InRange(stopped.Iteration, 1, 49);
        var checkpoints = new CheckpointStore(Path.Combine(output, TrainerGrain.CheckpointsFolderName));
        Assert.Equal(stopped.Iteration, checkpoints.Latest()!.Value.Checkpoint.Iteration);
        Assert.Equal(stopped.Iteration, new MetricsLog(Path.Combine(output, TrainerGrain.MetricsFileName)).Read().Count);
        Assert.False(Directory.Exists(Path.Combine(output, TrainerGrain.PolicyFolderName)));

        // Resuming the same plan picks up after the stop (watch one more iteration, then stop again).
        var resumed = await trainer.Start(plan);
        Assert.Equal(TrainerPhase.Training, resumed.Phase);
        while ((await trainer.GetStatus()).Iteration < stopped.Iteration + 1) await Task.Delay(20);
        await trainer.Stop();
        var final = await trainer.GetStatus();
        Assert.Equal(TrainerPhase.Stopped, final.Phase);
        var steps = new MetricsLog(Path.Combine(output, TrainerGrain.MetricsFileName)).Read().Select(l => (long)l["step"]!).ToArray();
        Assert.Equal(Enumerable.Range(1, (int)final.Iteration).Select(i => (long)i).ToArray(), steps);
    }

    [Fact]
    public async Task AGeneratorThatKeepsFailingFailsTheTrainerWithItsError()
    {
        await using var cluster = await world.StartClusterAsync();
        var good = world.Plan("run-broken", world.NewOutputDirectory(), iterations: 1);
        // A prompt id no PromptGrain knows: every rollout request of its batch fails in the generator.
        var plan = good with { PromptIds = ["tp-0", "never-initialized"] };
        var trainer = cluster.GrainFactory.GetGrain<ITrainerGrain>(plan.RunId);
        await trainer.Start(plan);

        TrainerStatus status;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((status = await trainer.GetStatus()).Phase == TrainerPhase.Training && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Equal(TrainerPhase.Failed, status.Phase);
        Assert.Contains("step 0", status.Error);
        Assert.Contains("never-initialized", status.Error);
        Assert.Equal(0, status.Iteration);
    }

    [Fact]
    public async Task ADeactivatedTrainerPausesAndItsNextActivationFinishesWithTheUninterruptedWeights()
    {
        // What a graceful silo shutdown (a rolling update, a node drain) does to the trainer: its activation ends.
        await using var cluster = await world.StartClusterAsync();
        string output = world.NewOutputDirectory(), straight = world.NewOutputDirectory();
        var plan = world.Plan("run-pause", output, iterations: 6, checkpointEvery: 1);
        var trainer = cluster.GrainFactory.GetGrain<ITrainerGrain>(plan.RunId);
        await trainer.Start(plan);
        while ((await trainer.GetStatus()).Iteration < 2) await Task.Delay(10);

        await trainer.Cast<Orleans.Core.Internal.IGrainManagementExtension>().DeactivateOnIdle();
        // The next call activates the grain again, which resumes from the last checkpoint: never Stopped on the way.
        var deadline = DateTime.UtcNow.AddSeconds(90);
        TrainerStatus status;
        while ((status = await trainer.GetStatus()).Phase == TrainerPhase.Training && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.Equal(TrainerPhase.Finished, status.Phase);
        Assert.Equal(6, status.Iteration);
        var steps = new MetricsLog(Path.Combine(output, TrainerGrain.MetricsFileName)).Read().Select(l => (long)l["step"]!).ToArray();
        Assert.Equal([1L, 2L, 3L, 4L, 5L, 6L], steps);

        var uninterrupted = cluster.GrainFactory.GetGrain<ITrainerGrain>("run-pause-straight");
        await uninterrupted.Start(world.Plan("run-pause-straight", straight, iterations: 6, checkpointEvery: 1));
        await TrainerWorld.WaitUntilDoneAsync(uninterrupted);
        string Weights(string dir) => Path.Combine(dir, TrainerGrain.PolicyFolderName, "model.safetensors");
        Assert.Equal(File.ReadAllBytes(Weights(straight)), File.ReadAllBytes(Weights(output)));
    }

    [Fact]
    public async Task ATrainerSupersededByANewerIncarnationStopsWritingToTheRun()
    {
        await using var cluster = await world.StartClusterAsync();
        string output = world.NewOutputDirectory();
        var plan = world.Plan("run-zombie", output, iterations: 500, checkpointEvery: 1);
        var trainer = cluster.GrainFactory.GetGrain<ITrainerGrain>(plan.RunId);
        await trainer.Start(plan);
        while ((await trainer.GetStatus()).Iteration < 1) await Task.Delay(20);

        // A replacement incarnation takes the run directory over (as after a partition): the old one must stop writing.
        long claimedAt = (await trainer.GetStatus()).Iteration;
        TrainerFence.Claim(output, TrainerFence.Newest(output)!.Value + 1);
        string metrics = Path.Combine(output, TrainerGrain.MetricsFileName);
        await Task.Delay(2000);
        int lines = File.ReadAllLines(metrics).Length;
        await Task.Delay(2000);

        Assert.Equal(lines, File.ReadAllLines(metrics).Length);
        Assert.InRange(lines, claimedAt, claimedAt + 1); // at most the write that was already past its check
        var checkpoints = new CheckpointStore(Path.Combine(output, TrainerGrain.CheckpointsFolderName));
        Assert.True(checkpoints.Steps().Max() <= lines);
        Assert.False(Directory.Exists(Path.Combine(output, TrainerGrain.PolicyFolderName)));
        Assert.NotEqual(TrainerPhase.Failed, (await trainer.GetStatus()).Phase); // superseded is not a failure of the run
    }

    internal static void CopyDirectory(string from, string to)
    {
        foreach (string dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(dir.Replace(from, to));
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, file.Replace(from, to));
    }
}

using Apo.Abstractions.Training;
using Apo.Grains.Training;

namespace Apo.Grains.Tests.Training;

/// <summary>The baselines run through the same trainer grain, generators and stream as A*-PO.</summary>
[Collection(TrainerCollection.Name)]
public sealed class BaselineTrainerTests(TrainerWorld world)
{
    [Theory]
    [InlineData("grpo", 2)]
    [InlineData("rebel", 2)]
    [InlineData("ppo", 1)]
    public async Task ABaselineTrainsWithoutStageOneOnItsNumberOfResponsesPerPrompt(string algorithm, int responsesPerPrompt)
    {
        // No prompt has a V̂*: A*-PO could not train here, the baselines do not need one.
        await using var cluster = await world.StartClusterAsync(withStageOne: false);
        string output = world.NewOutputDirectory();
        var plan = world.Plan($"run-{algorithm}", output, iterations: 2, checkpointEvery: 1, algorithm: algorithm);
        var trainer = cluster.GrainFactory.GetGrain<ITrainerGrain>(plan.RunId);

        await trainer.Start(plan);
        var done = await TrainerWorld.WaitUntilDoneAsync(trainer);

        Assert.Equal(TrainerPhase.Finished, done.Phase);
        Assert.Equal(2, done.Iteration);
        Assert.Equal(2 * plan.Settings.PromptsPerBatch * responsesPerPrompt, done.RolloutsConsumed);
        var lines = new MetricsLog(Path.Combine(output, TrainerGrain.MetricsFileName)).Read();
        Assert.Equal([1L, 2L], lines.Select(l => (long)l["step"]!).ToArray());
        foreach (var line in lines)
        {
            foreach (var field in new[] { "mean_reward", "loss", "kl_per_sequence", "mean_response_length" })
                Assert.True(line[field] is not null && double.IsFinite((double)line[field]!), $"{field} is {line[field]}");
            Assert.Null(line["mean_vstar"]); // no V̂*: written as null, not as a made-up number
        }
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(world.ReferenceDirectory, "model.safetensors")),
            File.ReadAllBytes(Path.Combine(output, TrainerGrain.PolicyFolderName, "model.safetensors")));
        Assert.True(File.Exists(Path.Combine(output, "checkpoints", "step-2", CheckpointStore.OptimizerFileName)));
    }

    [Fact]
    public async Task APpoRunResumedFromACheckpointEndsWithTheUninterruptedWeightsBitForBit()
    {
        string output = world.NewOutputDirectory();
        var plan = world.Plan("run-ppo-resume", output, iterations: 3, checkpointEvery: 1, algorithm: "ppo");
        string uninterrupted = output + "-uninterrupted";
        await using (var cluster = await world.StartClusterAsync(withStageOne: false))
        {
            var trainer = cluster.GrainFactory.GetGrain<ITrainerGrain>(plan.RunId);
            await trainer.Start(plan);
            Assert.Equal(3, (await TrainerWorld.WaitUntilDoneAsync(trainer)).Iteration);
        }
        TrainerGrainTests.CopyDirectory(output, uninterrupted);

        // A crash right after iteration 2's checkpoint. The weights can only match if the critic and both
        // optimizers come back from that checkpoint exactly.
        var checkpoints = new CheckpointStore(Path.Combine(output, TrainerGrain.CheckpointsFolderName));
        Directory.Delete(checkpoints.PathOf(3), recursive: true);
        File.WriteAllText(Path.Combine(checkpoints.Directory, CheckpointStore.LatestFileName), "step-2\n");
        Directory.Delete(Path.Combine(output, TrainerGrain.PolicyFolderName), recursive: true);
        await using (var cluster = await world.StartClusterAsync(withStageOne: false))
        {
            var trainer = cluster.GrainFactory.GetGrain<ITrainerGrain>(plan.RunId);
            await trainer.Start(plan);
            Assert.Equal(3, (await TrainerWorld.WaitUntilDoneAsync(trainer)).Iteration);
        }
        string Weights(string dir) => Path.Combine(dir, TrainerGrain.PolicyFolderName, "model.safetensors");
        Assert.Equal(File.ReadAllBytes(Weights(uninterrupted)), File.ReadAllBytes(Weights(output)));
    }
}

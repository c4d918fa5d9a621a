using Apo.Algorithm;
using Apo.Engine.StageTwo;
using Apo.Engine.StageTwo.Baselines;

namespace Apo.Engine.Tests.StageTwo;

[Collection(nameof(SerialCollection))]
public class StageTwoLearnersTests
{
    [Theory]
    [InlineData(StageTwoAlgorithm.AStarPo, typeof(AStarPoUpdater), 1)]
    [InlineData(StageTwoAlgorithm.Grpo, typeof(GrpoLearner), 2)]
    [InlineData(StageTwoAlgorithm.Rebel, typeof(RebelLearner), 2)]
    [InlineData(StageTwoAlgorithm.Ppo, typeof(PpoLearner), 1)]
    public void FactoryBuildsTheNamedLearner(StageTwoAlgorithm algorithm, Type type, int responsesPerPrompt)
    {
        using var reference = TinyModels.Create();
        using var policy = TinyModels.Copy(reference);
        using var learner = StageTwoLearners.Create(LearnerFixtures.Settings(algorithm), policy, reference);
        Assert.IsType(type, learner);
        Assert.Equal(algorithm, learner.Algorithm);
        Assert.Equal(responsesPerPrompt, learner.ResponsesPerPrompt);
        Assert.Equal(0, learner.OptimizerSteps);
        Assert.Throws<ArgumentException>(() => StageTwoLearners.Create(LearnerFixtures.Settings(algorithm), policy, policy));
    }

    [Theory]
    [InlineData(StageTwoAlgorithm.AStarPo)]
    [InlineData(StageTwoAlgorithm.Grpo)]
    [InlineData(StageTwoAlgorithm.Rebel)]
    [InlineData(StageTwoAlgorithm.Ppo)]
    public void SavedStateContinuesBitForBit(StageTwoAlgorithm algorithm)
    {
        using var reference = TinyModels.Create();
        var first = LearnerFixtures.WithVStar(LearnerFixtures.Batch(4, algorithm.ResponsesPerPrompt()));
        var second = LearnerFixtures.Flipped(first);
        var settings = LearnerFixtures.Settings(algorithm, lr: 3e-3);

        using var straight = TinyModels.Copy(reference);
        using var straightLearner = StageTwoLearners.Create(settings, straight, reference);
        foreach (var batch in new[] { first, second, first }) straightLearner.Update(batch);

        using var dir = new TempDirectory();
        using var interrupted = TinyModels.Copy(reference);
        using (var learner = StageTwoLearners.Create(settings, interrupted, reference))
        {
            learner.Update(first);
            learner.Update(second);
            learner.SaveState(dir.Path);
        }
        Assert.True(File.Exists(Path.Combine(dir.Path, LearnerStateFiles.Optimizer)));
        Assert.Equal(algorithm == StageTwoAlgorithm.Ppo, File.Exists(Path.Combine(dir.Path, LearnerStateFiles.CriticWeights)));
        Assert.Equal(algorithm == StageTwoAlgorithm.Ppo, File.Exists(Path.Combine(dir.Path, LearnerStateFiles.CriticOptimizer)));

        using var resumed = TinyModels.Copy(interrupted);
        using var resumedLearner = StageTwoLearners.Create(settings, resumed, reference);
        resumedLearner.LoadState(dir.Path);
        Assert.Equal(4, resumedLearner.OptimizerSteps);
        var metrics = resumedLearner.Update(first);
        Assert.Equal(6, metrics.OptimizerSteps);

        var expected = TinyModels.Snapshot(straight);
        var actual = TinyModels.Snapshot(resumed);
        foreach (var (name, values) in expected) Assert.Equal(values, actual[name]);
        if (algorithm == StageTwoAlgorithm.Ppo)
        {
            var a = ((PpoLearner)straightLearner).Critic.ParametersByName();
            var b = ((PpoLearner)resumedLearner).Critic.ParametersByName();
            foreach (var (name, parameter) in a)
                Assert.Equal(parameter.detach().data<float>().ToArray(), b[name].detach().data<float>().ToArray());
        }
    }

    [Theory]
    [InlineData(StageTwoAlgorithm.AStarPo)]
    [InlineData(StageTwoAlgorithm.Grpo)]
    [InlineData(StageTwoAlgorithm.Ppo)]
    public void ReferenceScoresComputedBeforehandTrainTheSameWeightsAsScoringInTheUpdate(StageTwoAlgorithm algorithm)
    {
        // Asynchronous stage 2 scores the reference on the generation lane, with that lane's own copy of it.
        using var reference = TinyModels.Create();
        using var referenceCopy = TinyModels.Copy(reference);
        var batch = LearnerFixtures.WithVStar(LearnerFixtures.Batch(4, algorithm.ResponsesPerPrompt()));
        var settings = LearnerFixtures.Settings(algorithm, lr: 3e-3) with { MaxTokensPerMicroBatch = 24 };

        using var inside = TinyModels.Copy(reference);
        using (var learner = StageTwoLearners.Create(settings, inside, reference)) learner.Update(batch);
        using var beforehand = TinyModels.Copy(reference);
        using (var learner = StageTwoLearners.Create(settings, beforehand, reference))
        {
            var scores = ReferenceScores.Of(referenceCopy, batch, settings.MaxTokensPerMicroBatch);
            Assert.Equal(batch.Count, scores.Sums.Length);
            Assert.All(scores.Sums, sum => Assert.True(sum < 0 && double.IsFinite(sum)));
            learner.Update(batch, scores);
            var error = Assert.Throws<ArgumentException>(() => learner.Update(batch, scores with { Sums = scores.Sums[1..] }));
            Assert.Contains($"reference scores of {batch.Count - 1} rollouts for a batch of {batch.Count}", error.Message);
        }
        var expected = TinyModels.Snapshot(inside);
        foreach (var (name, values) in TinyModels.Snapshot(beforehand)) Assert.Equal(expected[name], values);
    }

    [Fact]
    public void LoadStateFromAMissingDirectoryNamesTheFile()
    {
        using var reference = TinyModels.Create();
        using var policy = TinyModels.Copy(reference);
        using var learner = StageTwoLearners.Create(LearnerFixtures.Settings(StageTwoAlgorithm.Ppo), policy, reference);
        using var dir = new TempDirectory();
        var error = Assert.Throws<FileNotFoundException>(() => learner.LoadState(dir.Path));
        Assert.Contains(LearnerStateFiles.Optimizer, error.Message);
    }
}

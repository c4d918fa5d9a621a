using Apo.Algorithm;
using Apo.Algorithm.Baselines.Grpo;
using Apo.Engine.StageTwo;
using Apo.Engine.StageTwo.Baselines;

namespace Apo.Engine.Tests.StageTwo;

[Collection(nameof(SerialCollection))]
public class BaselineLearnerTests
{
    [Theory]
    [InlineData(StageTwoAlgorithm.Grpo)]
    [InlineData(StageTwoAlgorithm.Rebel)]
    [InlineData(StageTwoAlgorithm.Ppo)]
    public void UpdatesRaiseTheLogProbOfRewardedResponsesOverUnrewardedOnes(StageTwoAlgorithm algorithm)
    {
        using var reference = TinyModels.Create();
        using var policy = TinyModels.Copy(reference);
        var batch = LearnerFixtures.Batch(8, algorithm.ResponsesPerPrompt());
        double before = LearnerFixtures.RewardedMargin(policy, batch);
        var referenceBefore = TinyModels.Snapshot(reference);
        using var learner = StageTwoLearners.Create(LearnerFixtures.Settings(algorithm, lr: 3e-3), policy, reference);

        var metrics = Enumerable.Range(0, 5).Select(_ => learner.Update(batch)).ToList();

        double after = LearnerFixtures.RewardedMargin(policy, batch);
        Assert.True(after > before + 20.0, $"{algorithm}: rewarded-minus-unrewarded log-prob margin {before} → {after}");
        Assert.Equal(10, learner.OptimizerSteps);
        Assert.Equal(10, metrics[^1].OptimizerSteps);
        Assert.All(metrics, m => Assert.True(double.IsNaN(m.MeanVStar)));
        Assert.All(metrics, m => Assert.True(double.IsFinite(m.Loss) && double.IsFinite(m.KlPerSequence) && m.GradientNorm > 0));
        // The responses are fixed, not sampled from π, so Σ(log π − log π_ref) may have either sign; it must have moved off 0.
        Assert.True(Math.Abs(metrics[^1].KlPerSequence) > 0.01, $"{algorithm}: KL estimate after training {metrics[^1].KlPerSequence}");
        Assert.Equal(batch.Average(r => r.Reward), metrics[0].MeanReward, 12);
        var referenceAfter = TinyModels.Snapshot(reference);
        foreach (var (name, values) in referenceBefore) Assert.Equal(values, referenceAfter[name]);
    }

    [Fact]
    public void GrpoWithEqualRewardsInEveryGroupAndNoRegularisersLeavesThePolicyUnchanged()
    {
        using var reference = TinyModels.Create();
        using var policy = TinyModels.Copy(reference);
        // Group advantages are (r − mean)/(std + ε) = 0 when both rewards are equal, whatever the level.
        var batch = LearnerFixtures.Batch(6, 2).Select((r, i) => r with { Reward = i / 2 % 2 }).ToList();
        var settings = LearnerFixtures.Settings(StageTwoAlgorithm.Grpo, weightDecay: 0) with
        {
            Grpo = new GrpoSettings(KlCoefficient: 0, EntropyCoefficient: 0),
        };
        var before = TinyModels.Snapshot(policy);
        using var learner = StageTwoLearners.Create(settings, policy, reference);
        for (int i = 0; i < 3; i++) learner.Update(batch);
        var after = TinyModels.Snapshot(policy);
        foreach (var (name, values) in before) Assert.Equal(values, after[name]);
        Assert.Equal(6, learner.OptimizerSteps);
    }

    [Fact]
    public void RebelWithEqualRewardsInEachPairLeavesThePolicyUnchangedOnTheFirstUpdate()
    {
        using var reference = TinyModels.Create();
        using var policy = TinyModels.Copy(reference);
        var batch = LearnerFixtures.Batch(6, 2).Select((r, i) => r with { Reward = i / 2 % 2 }).ToList();
        var before = TinyModels.Snapshot(policy);
        using var learner = StageTwoLearners.Create(LearnerFixtures.Settings(StageTwoAlgorithm.Rebel, weightDecay: 0), policy, reference);
        var metrics = learner.Update(batch);
        // Before the first step π_θ = π_old exactly, so each residual (Δ − Δ′)/η − (r − r′) is 0 − 0.
        Assert.Equal(0.0, metrics.Loss);
        Assert.Equal(0.0, metrics.GradientNorm);
        var after = TinyModels.Snapshot(policy);
        foreach (var (name, values) in before) Assert.Equal(values, after[name]);
    }

    [Fact]
    public void RebelFirstLossIsTheMeanSquaredRewardGap()
    {
        using var reference = TinyModels.Create();
        using var policy = TinyModels.Copy(reference);
        var batch = LearnerFixtures.Batch(4, 2);
        using var learner = StageTwoLearners.Create(LearnerFixtures.Settings(StageTwoAlgorithm.Rebel, miniBatches: 1), policy, reference);
        // One mini-batch, measured before its step: π_θ = π_old, so each pair's residual is −(r − r′) = ∓1 and the mean square is 1.
        var metrics = learner.Update(batch);
        Assert.Equal(1.0, metrics.Loss, 12);
        Assert.Equal(0.0, metrics.KlPerSequence, 5); // policy = reference before the step
        Assert.Equal(0.5, metrics.MeanReward, 12);
        Assert.Equal(batch.Average(r => (double)r.ResponseIds.Length), metrics.MeanResponseLength, 12);
    }

    [Fact]
    public void PpoCriticValueLossFallsOverRepeatedUpdates()
    {
        using var reference = TinyModels.Create();
        using var policy = TinyModels.Copy(reference);
        var batch = LearnerFixtures.Batch(8, 1);
        using var learner = (PpoLearner)StageTwoLearners.Create(LearnerFixtures.Settings(StageTwoAlgorithm.Ppo, lr: 1e-3), policy, reference);
        Assert.True(double.IsNaN(learner.LastValueLoss));
        var losses = new List<double>();
        for (int i = 0; i < 8; i++)
        {
            learner.Update(batch);
            losses.Add(learner.LastValueLoss);
        }
        // The zero-initialised critic starts at V = 0 against returns ≈ reward (0 or 1): first loss ≈ 0.5·mean(r²) per token.
        Assert.True(losses[0] > 0.05, $"first value loss {losses[0]}");
        Assert.True(losses[^1] < losses[0] * 0.5, $"value losses {string.Join(", ", losses)}");
        Assert.Equal(16, learner.CriticOptimizerSteps);
    }

    /// <summary>
    /// Gradient accumulation over token-budget micro-batches equals one pass over each mini-batch, for every loss:
    /// A*-PO's per-sequence mean (with its token-mean entropy bonus on and off), GRPO's and PPO's token means
    /// (entropy on and off; PPO's critic too), REBEL's per-pair mean. A budget of 1 token puts every prompt group in
    /// a micro-batch of its own; 30 packs groups of similar length together, out of batch order.
    /// </summary>
    [Theory]
    [InlineData(StageTwoAlgorithm.AStarPo, 0.0, 1)]
    [InlineData(StageTwoAlgorithm.AStarPo, 0.05, 1)]
    [InlineData(StageTwoAlgorithm.AStarPo, 0.05, 30)]
    [InlineData(StageTwoAlgorithm.Grpo, 0.0, 1)]
    [InlineData(StageTwoAlgorithm.Grpo, 0.05, 30)]
    [InlineData(StageTwoAlgorithm.Ppo, 0.0, 30)]
    [InlineData(StageTwoAlgorithm.Ppo, 0.05, 1)]
    [InlineData(StageTwoAlgorithm.Rebel, 0.0, 1)]
    [InlineData(StageTwoAlgorithm.Rebel, 0.0, 30)]
    public void MicroBatchesGiveTheSameStepsAsOnePass(StageTwoAlgorithm algorithm, double entropy, int maxTokens)
    {
        using var reference = TinyModels.Create();
        var batch = LearnerFixtures.WithVStar(LearnerFixtures.Batch(6, algorithm.ResponsesPerPrompt()));
        using var whole = TinyModels.Copy(reference);
        using var split = TinyModels.Copy(reference);
        using (var a = StageTwoLearners.Create(LearnerFixtures.Settings(algorithm, entropy: entropy), whole, reference))
        using (var b = StageTwoLearners.Create(LearnerFixtures.Settings(algorithm, entropy: entropy, maxTokens: maxTokens), split, reference))
        {
            for (int i = 0; i < 2; i++)
            {
                var ma = a.Update(batch);
                var mb = b.Update(batch);
                Assert.Equal(ma.Loss, mb.Loss, 5);
                Assert.Equal(ma.GradientNorm, mb.GradientNorm, 4);
                Assert.Equal(ma.KlPerSequence, mb.KlPerSequence, 4);
            }
        }
        var wa = TinyModels.Snapshot(whole);
        var wb = TinyModels.Snapshot(split);
        var before = TinyModels.Snapshot(reference);
        Assert.Contains(wa, p => !p.Value.SequenceEqual(before[p.Key]));
        // Loss and gradient norm agree to float rounding above; Adam's m/√v turns a rounding difference in a
        // near-zero gradient component into up to a whole step (lr = 1e-2), so the weights get a tenth of a step.
        foreach (var (name, values) in wa)
            for (int i = 0; i < values.Length; i++) Assert.Equal(values[i], (double)wb[name][i], 1e-3);
    }

    [Theory]
    [InlineData(StageTwoAlgorithm.Grpo)]
    [InlineData(StageTwoAlgorithm.Rebel)]
    public void BatchesThatAreNotWholeAdjacentPairsAreRejectedNamingTheRollout(StageTwoAlgorithm algorithm)
    {
        using var reference = TinyModels.Create();
        using var policy = TinyModels.Copy(reference);
        using var learner = StageTwoLearners.Create(LearnerFixtures.Settings(algorithm, miniBatches: 1), policy, reference);
        var batch = LearnerFixtures.Batch(3, 2);

        var odd = Assert.Throws<ArgumentException>(() => learner.Update(batch.Take(5).ToList()));
        Assert.Contains("rollout 4", odd.Message);
        Assert.Contains("\"p2\"", odd.Message);

        var mixed = batch.ToList();
        mixed[3] = mixed[3] with { PromptId = "other" };
        var error = Assert.Throws<ArgumentException>(() => learner.Update(mixed));
        Assert.Contains("rollout 3", error.Message);
        Assert.Contains("\"other\"", error.Message);

        var empty = batch.ToList();
        empty[1] = empty[1] with { ResponseIds = [] };
        Assert.Contains("rollout 1", Assert.Throws<ArgumentException>(() => learner.Update(empty)).Message);
        var nan = batch.ToList();
        nan[2] = nan[2] with { Reward = double.NaN };
        Assert.Contains("rollout 2", Assert.Throws<ArgumentException>(() => learner.Update(nan)).Message);
        Assert.Throws<ArgumentException>(() => learner.Update([]));
        Assert.Equal(0, learner.OptimizerSteps); // nothing was stepped on a rejected batch
    }

    [Fact]
    public void MoreMiniBatchesThanPromptGroupsIsRejected()
    {
        using var reference = TinyModels.Create();
        using var policy = TinyModels.Copy(reference);
        using var learner = StageTwoLearners.Create(LearnerFixtures.Settings(StageTwoAlgorithm.Grpo, miniBatches: 2), policy, reference);
        // 2 rollouts = 1 prompt group: it cannot be split into 2 mini-batches without splitting the group.
        Assert.Throws<ArgumentException>(() => learner.Update(LearnerFixtures.Batch(1, 2)));
    }

    [Theory]
    [InlineData(StageTwoAlgorithm.Grpo)]
    [InlineData(StageTwoAlgorithm.Rebel)]
    [InlineData(StageTwoAlgorithm.Ppo)]
    public void LiveTensorCountStaysFlat(StageTwoAlgorithm algorithm)
    {
        using var reference = TinyModels.Create();
        using var policy = TinyModels.Copy(reference);
        var batch = LearnerFixtures.Batch(6, algorithm.ResponsesPerPrompt());
        using var learner = StageTwoLearners.Create(LearnerFixtures.Settings(algorithm, lr: 1e-3, maxTokens: 24), policy, reference);
        learner.Update(batch); // warm-up: gradients and AdamW moments are allocated once and kept
        long before = TinyModels.LiveTensors();
        for (int i = 0; i < 5; i++) learner.Update(batch);
        TinyModels.AssertNoGrowth(before, "5 updates");
    }
}

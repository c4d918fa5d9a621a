using Apo.Algorithm.Optimization;
using Apo.Engine.StageTwo;
using Apo.Model.Inference;
using Apo.Model.Qwen2;

namespace Apo.Engine.Tests.StageTwo;

[Collection(nameof(SerialCollection))]
public class AStarPoUpdaterTests
{
    const double Beta2 = 0.1;

    static StageTwoLearnerSettings Settings(double lr = 1e-2, int miniBatches = 2, int maxTokens = 0) => new()
    {
        Beta2 = Beta2,
        Optimizer = new OptimizerSettings(LearningRate: lr, MiniBatches: miniBatches),
        MaxTokensPerMicroBatch = maxTokens,
    };

    /// <summary>Responses sampled from the model itself; rewards alternate 1, 0 and V̂* = 0.5 (so r − V̂* = ±0.5).</summary>
    static List<TrainingRollout> Rollouts(Qwen2ForCausalLM model, int count = 8)
    {
        var prompts = TinyModels.Prompts(count, seed: 5);
        var generated = Sampler.Generate(model, prompts, new SamplingOptions { MaxNewTokens = 6 },
            Enumerable.Range(0, count).Select(i => (long)i).ToList());
        return prompts.Select((p, i) => new TrainingRollout($"p{i}", p, generated.Sequences[i].TokenIds, i % 2 == 0 ? 1.0 : 0.0, 0.5)).ToList();
    }

    static double[] LogRatios(Qwen2ForCausalLM policy, Qwen2ForCausalLM reference, IReadOnlyList<TrainingRollout> rollouts)
    {
        var prompts = rollouts.Select(r => r.PromptIds).ToList();
        var responses = rollouts.Select(r => r.ResponseIds).ToList();
        var p = Scorer.Score(policy, prompts, responses, 16);
        var q = Scorer.Score(reference, prompts, responses, 16);
        return p.Zip(q, (a, b) => a.Sum - b.Sum).ToArray();
    }

    [Fact]
    public void FirstLossIsTheSquaredAdvantageWhenPolicyEqualsReference()
    {
        using var reference = TinyModels.Create();
        using var policy = TinyModels.Copy(reference);
        var rollouts = Rollouts(reference);
        using var updater = new AStarPoUpdater(policy, reference, Settings(miniBatches: 1));
        var metrics = updater.Update(rollouts);
        // log π = log π_ref, so each residual is −(r − V̂*) = ∓0.5 and the mean square is 0.25;
        // the KL estimate is Σ(log π − log π_ref) = 0.
        Assert.Equal(0.25, metrics.Loss, 5);
        Assert.Equal(0.0, metrics.KlPerSequence, 5);
        Assert.Equal(0.5, metrics.MeanReward, 12);
        Assert.Equal(0.5, metrics.MeanVStar, 12);
        Assert.Equal(rollouts.Average(r => (double)r.ResponseIds.Length), metrics.MeanResponseLength, 12);
        Assert.Equal(1, metrics.OptimizerSteps);
    }

    [Fact]
    public void UpdatesRegressTheLogRatioOntoTheScaledAdvantageAndLeaveTheReferenceAlone()
    {
        using var reference = TinyModels.Create();
        using var policy = TinyModels.Copy(reference);
        var rollouts = Rollouts(reference);
        var referenceBefore = TinyModels.Snapshot(reference);
        using var updater = new AStarPoUpdater(policy, reference, Settings());

        var losses = Enumerable.Range(0, 15).Select(_ => updater.Update(rollouts).Loss).ToList();

        Assert.Equal(30, updater.OptimizerSteps); // 2 mini-batches per update
        var ratios = LogRatios(policy, reference, rollouts);
        // The loss is mean(β2·Δ − (r − V̂*))² recomputed independently from Scorer log-probs.
        double lossAfter = ratios.Zip(rollouts, (d, r) => Math.Pow(Beta2 * d - (r.Reward - r.VStar), 2)).Average();
        Assert.True(lossAfter < 0.25 * 0.2, $"loss after training {lossAfter}; started at 0.25; per-update losses {string.Join(", ", losses)}");
        Assert.True(losses[^1] < losses[0]);
        for (int i = 0; i < rollouts.Count; i++)
        {
            double target = (rollouts[i].Reward - rollouts[i].VStar) / Beta2; // ±5
            Assert.True(Math.Sign(ratios[i]) == Math.Sign(target) && Math.Abs(ratios[i] - target) < Math.Abs(target) * 0.5,
                $"sequence {i}: log-ratio {ratios[i]}, target {target}");
        }
        var referenceAfter = TinyModels.Snapshot(reference);
        foreach (var (name, values) in referenceBefore) Assert.Equal(values, referenceAfter[name]);
    }

    [Fact]
    public void MicroBatchesGiveTheSameStepAsOnePass()
    {
        using var reference = TinyModels.Create();
        var rollouts = Rollouts(reference, 10);
        using var whole = TinyModels.Copy(reference);
        using var split = TinyModels.Copy(reference);
        using (var a = new AStarPoUpdater(whole, reference, Settings(miniBatches: 2)))
        using (var b = new AStarPoUpdater(split, reference, Settings(miniBatches: 2, maxTokens: 24)))
        {
            var ma = a.Update(rollouts);
            var mb = b.Update(rollouts);
            Assert.Equal(ma.Loss, mb.Loss, 5);
            Assert.Equal(ma.GradientNorm, mb.GradientNorm, 4);
        }
        var wa = TinyModels.Snapshot(whole);
        var wb = TinyModels.Snapshot(split);
        foreach (var (name, values) in wa)
            for (int i = 0; i < values.Length; i++) Assert.Equal(values[i], wb[name][i], 4);
    }

    [Fact]
    public void SavedOptimizerStateContinuesBitForBit()
    {
        using var reference = TinyModels.Create();
        var rollouts = Rollouts(reference);
        var second = rollouts.Select(r => r with { Reward = 1 - r.Reward }).ToList();

        using var straight = TinyModels.Copy(reference);
        using (var updater = new AStarPoUpdater(straight, reference, Settings()))
            foreach (var batch in new[] { rollouts, second, rollouts, second }) updater.Update(batch);

        using var dir = new TempDirectory();
        using var firstHalf = TinyModels.Copy(reference);
        using (var updater = new AStarPoUpdater(firstHalf, reference, Settings()))
        {
            updater.Update(rollouts);
            updater.Update(second);
            updater.SaveState(dir.Path);
        }
        using var resumed = TinyModels.Copy(firstHalf);
        using (var updater = new AStarPoUpdater(resumed, reference, Settings()))
        {
            updater.LoadState(dir.Path);
            Assert.Equal(4, updater.OptimizerSteps);
            updater.Update(rollouts);
            var last = updater.Update(second);
            Assert.Equal(8, last.OptimizerSteps);
        }
        var expected = TinyModels.Snapshot(straight);
        var actual = TinyModels.Snapshot(resumed);
        foreach (var (name, values) in expected) Assert.Equal(values, actual[name]);
    }

    /// <summary>
    /// A bf16 policy at a learning rate whose Adam steps (1e-4) are a tenth of half a bf16 ulp at these weights (|w| ≈ 0.3,
    /// half an ulp ≈ 1e-3): trained as pure bf16 it would never move; through float32 masters most weights move, and
    /// the way the same run in float32 moves them.
    /// </summary>
    [Fact]
    public void ABf16PolicyMovesUnderSubUlpStepsAsTheFloat32RunDoes()
    {
        using var reference16 = TinyModels.Create(dtype: TorchSharp.torch.ScalarType.BFloat16);
        using var policy16 = TinyModels.Copy(reference16);
        using var reference32 = TinyModels.Copy(reference16, TorchSharp.torch.ScalarType.Float32);
        using var policy32 = TinyModels.Copy(reference16, TorchSharp.torch.ScalarType.Float32);
        var rollouts = Rollouts(reference32);
        var start = TinyModels.Snapshot(policy16);
        using (var mixed = new AStarPoUpdater(policy16, reference16, Settings(lr: 1e-4)))
        using (var full = new AStarPoUpdater(policy32, reference32, Settings(lr: 1e-4)))
            for (int i = 0; i < 15; i++)
            {
                mixed.Update(rollouts);
                full.Update(rollouts);
            }
        Assert.Equal(TorchSharp.torch.ScalarType.BFloat16, policy16.DType);
        var after16 = TinyModels.Snapshot(policy16);
        var after32 = TinyModels.Snapshot(policy32);
        int moved = 0, agreeing = 0, total = 0;
        foreach (var (name, before) in start)
            for (int i = 0; i < before.Length; i++)
            {
                total++;
                float d16 = after16[name][i] - before[i], d32 = after32[name][i] - before[i];
                if (d16 == 0) continue;
                moved++;
                if (Math.Sign(d16) == Math.Sign(d32)) agreeing++;
            }
        Assert.True(moved > total / 2, $"{moved} of {total} bf16 weights moved");
        Assert.True(agreeing > moved * 0.9, $"{agreeing} of {moved} moved weights moved the way the float32 run did");
    }

    [Fact]
    public void ABf16PolicyResumesBitForBitFromItsMasters()
    {
        using var reference = TinyModels.Create(dtype: TorchSharp.torch.ScalarType.BFloat16);
        var rollouts = Rollouts(reference);
        var second = rollouts.Select(r => r with { Reward = 1 - r.Reward }).ToList();
        using var straight = TinyModels.Copy(reference);
        using (var updater = new AStarPoUpdater(straight, reference, Settings(lr: 1e-4)))
            foreach (var batch in new[] { rollouts, second, rollouts, second }) updater.Update(batch);

        using var dir = new TempDirectory();
        using var firstHalf = TinyModels.Copy(reference);
        using (var updater = new AStarPoUpdater(firstHalf, reference, Settings(lr: 1e-4)))
        {
            updater.Update(rollouts);
            updater.Update(second);
            updater.SaveState(dir.Path);
        }
        // The checkpoint's bf16 weights alone have lost the masters' low bits; the learner state restores them.
        using var resumed = TinyModels.Copy(firstHalf);
        using (var updater = new AStarPoUpdater(resumed, reference, Settings(lr: 1e-4)))
        {
            updater.LoadState(dir.Path);
            updater.Update(rollouts);
            updater.Update(second);
        }
        var expected = TinyModels.Snapshot(straight);
        var actual = TinyModels.Snapshot(resumed);
        foreach (var (name, values) in expected) Assert.Equal(values, actual[name]);
    }

    [Fact]
    public void LiveTensorCountStaysFlat()
    {
        using var reference = TinyModels.Create();
        using var policy = TinyModels.Copy(reference);
        var rollouts = Rollouts(reference);
        using var updater = new AStarPoUpdater(policy, reference, Settings(maxTokens: 36) with
        {
            Optimizer = new OptimizerSettings(LearningRate: 1e-3, MiniBatches: 2, EntropyCoefficient: 1e-3),
        });
        updater.Update(rollouts); // warm-up: gradients and AdamW moments are allocated once and kept
        long before = TinyModels.LiveTensors();
        for (int i = 0; i < 20; i++) updater.Update(rollouts);
        TinyModels.AssertNoGrowth(before, "20 updates");
    }

    [Fact]
    public void BadBatchesAreRejected()
    {
        using var reference = TinyModels.Create();
        using var policy = TinyModels.Copy(reference);
        using var updater = new AStarPoUpdater(policy, reference, Settings(miniBatches: 2));
        Assert.Throws<ArgumentException>(() => updater.Update([]));
        var one = new TrainingRollout("p", [3, 4], [5, TinyModels.Eos], 1, 0.5);
        Assert.ThrowsAny<ArgumentException>(() => updater.Update([one])); // 1 rollout cannot fill 2 mini-batches
        Assert.Throws<ArgumentException>(() => updater.Update([one, one with { ResponseIds = [] }]));
        Assert.Throws<ArgumentException>(() => new AStarPoUpdater(policy, policy, Settings()));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AStarPoUpdater(policy, reference, Settings() with { Beta2 = 0 }));
    }
}

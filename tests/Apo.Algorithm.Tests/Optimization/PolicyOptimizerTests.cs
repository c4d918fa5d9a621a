using Apo.Algorithm.Optimization;
using TorchSharp;
using TorchSharp.Modules;
using static Apo.Algorithm.Tests.TestTensors;
using static TorchSharp.torch;

namespace Apo.Algorithm.Tests.Optimization;

public class PolicyOptimizerTests
{
    private static Parameter Param(params double[] values) => new(tensor(values, dtype: float64));

    [Fact]
    public void Weight_decay_is_decoupled_from_the_gradient()
    {
        // Zero gradient: Adam's update is 0/(0 + ε) = 0, so AdamW only decays: p ← p·(1 − lr·wd) = 1·(1 − 0.1·0.01).
        // (Adam with an L2 penalty would feed wd·p into the moments and move p by ≈ lr = 0.1.)
        using var scope = NewDisposeScope();
        var p = Param(1.0);
        using var optimizer = new PolicyOptimizer([p], new OptimizerSettings(LearningRate: 0.1, WeightDecay: 0.01));
        optimizer.Step(() => (p * 0.0).sum());
        Assert.Equal(0.999, Values(p)[0], 15);
    }

    [Fact]
    public void First_step_matches_hand_computed_adamw()
    {
        // loss = 3p, p0 = 2, lr 0.1, wd 0.01, no clipping (max norm 10 > 3):
        // decay: 2·(1 − 0.001) = 1.998; m = 0.1·3 = 0.3, v = 0.001·9 = 0.009;
        // denom = √0.009/√(1 − 0.999) + 1e-8 = 3 + 1e-8; step size = 0.1/(1 − 0.9) = 1 → p1 = 1.998 − 0.3/(3 + 1e-8).
        using var scope = NewDisposeScope();
        var p = Param(2.0);
        using var optimizer = new PolicyOptimizer([p], new OptimizerSettings(LearningRate: 0.1, ClipGradNorm: 10));
        var result = optimizer.Step(() => (p * 3.0).sum());
        Assert.Equal(1.998 - 0.3 / (3 + 1e-8), Values(p)[0], 14);
        Assert.Equal(3.0, result.GradientNorm, 12);
        Assert.Equal(6.0, result.Loss, 12);
        Assert.Equal(1, result.StepCount);
    }

    [Fact]
    public void Clipping_scales_all_gradients_by_one_factor_of_the_total_norm()
    {
        // loss = 3a + 4b: gradients (3, 4), total norm 5 > 1 → both scaled by 1/(5 + 1e-6): (0.6, 0.8).
        using var scope = NewDisposeScope();
        var a = Param(0.0);
        var b = Param(0.0);
        using var optimizer = new PolicyOptimizer([a, b], new OptimizerSettings(LearningRate: 0.01));
        var result = optimizer.Step(() => (a * 3.0 + b * 4.0).sum());

        Assert.Equal(5.0, result.GradientNorm, 12);
        Assert.True(result.WasClipped(1.0));
        Assert.Equal(3 / (5 + 1e-6), Values(a.grad!)[0], 12);
        Assert.Equal(4 / (5 + 1e-6), Values(b.grad!)[0], 12);

        // The clipped gradient is what enters Adam: the first moment is (1 − β1)·g_clipped, so ‖m‖ ≤ 0.1·max norm.
        Assert.Equal(0.1 * 3 / (5 + 1e-6), Values(optimizer.Moments.ExpAvg[0])[0], 12);
        Assert.Equal(0.1 * 4 / (5 + 1e-6), Values(optimizer.Moments.ExpAvg[1])[0], 12);
    }

    [Fact]
    public void Small_gradients_are_not_clipped()
    {
        using var scope = NewDisposeScope();
        var a = Param(0.0);
        var b = Param(0.0);
        using var optimizer = new PolicyOptimizer([a, b], new OptimizerSettings(LearningRate: 0.01));
        var result = optimizer.Step(() => (a * 0.3 + b * 0.4).sum());
        Assert.Equal(0.5, result.GradientNorm, 12);
        Assert.Equal(0.3, Values(a.grad!)[0], 15);
        Assert.Equal(0.4, Values(b.grad!)[0], 15);
    }

    [Fact]
    public void Micro_batches_accumulate_into_one_step()
    {
        // 0.5·(3p) + 0.5·(5p) has gradient 4: same step as one loss 4p.
        using var scope = NewDisposeScope();
        var p = Param(1.0);
        var q = Param(1.0);
        using var accumulated = new PolicyOptimizer([p], new OptimizerSettings(LearningRate: 0.1, ClipGradNorm: 10));
        using var single = new PolicyOptimizer([q], new OptimizerSettings(LearningRate: 0.1, ClipGradNorm: 10));
        var r1 = accumulated.Step([() => (p * 1.5).sum(), () => (p * 2.5).sum()]);
        var r2 = single.Step(() => (q * 4.0).sum());
        Assert.Equal(r2.GradientNorm, r1.GradientNorm, 14);
        Assert.Equal(Values(q)[0], Values(p)[0], 15);
    }

    [Fact]
    public void A_non_finite_loss_throws_and_leaves_parameters_alone()
    {
        using var scope = NewDisposeScope();
        var p = Param(1.0);
        using var optimizer = new PolicyOptimizer([p], new OptimizerSettings(LearningRate: 0.1));
        Assert.Throws<InvalidOperationException>(() => optimizer.Step(() => (p * double.NaN).sum()));
        Assert.Equal(1.0, Values(p)[0]);
        Assert.Equal(0, optimizer.StepCount);
    }

    [Fact]
    public void Step_disposes_the_tensors_the_loss_function_creates()
    {
        using var scope = NewDisposeScope();
        var p = Param(1.0, 2.0, 3.0);
        using var optimizer = new PolicyOptimizer([p], new OptimizerSettings(LearningRate: 0.01));
        optimizer.Step(() => (p * p).sum());   // warm-up: gradients and Adam state exist from here on
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (var i = 0; i < 20; i++) optimizer.Step(() => ((p * p).sum() + p.exp().mean()) * 0.5);
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Invalid_settings_are_rejected()
    {
        using var scope = NewDisposeScope();
        var p = Param(1.0);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PolicyOptimizer([p], new OptimizerSettings(LearningRate: 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PolicyOptimizer([p], new OptimizerSettings(0.1, ClipGradNorm: 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PolicyOptimizer([p], new OptimizerSettings(0.1, Beta2: 1.0)));
    }
}

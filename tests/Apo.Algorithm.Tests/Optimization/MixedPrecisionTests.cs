using Apo.Algorithm.Optimization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Apo.Algorithm.Tests.Optimization;

/// <summary>
/// Half-precision parameters train through float32 masters. The reference is the same run in float32:
/// its weights cast to bf16 are what the bf16 model must hold after every step.
/// </summary>
public sealed class MixedPrecisionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("apo-mixed-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // Weights near 0.02, where one bf16 ulp is 2^-13 ≈ 1.2e-4: an Adam step of lr = 1e-5 is under a tenth of it.
    private static Tensor StartWeights() => (torch.linspace(0.016, 0.03, 64) * torch.tensor(new[] { 1f, -1f }).repeat(32)).to(ScalarType.BFloat16);

    // ±1 and ±0.5: exact in bf16, so both runs see exactly the same gradient (∂/∂w of Σ w·c is c).
    private static Tensor Coefficients() => torch.tensor(Enumerable.Range(0, 64).Select(i => (i % 3 == 0 ? 0.5f : 1f) * (i % 2 == 0 ? 1 : -1)).ToArray());

    private static readonly OptimizerSettings Settings = new(LearningRate: 1e-5, WeightDecay: 0.01, ClipGradNorm: double.PositiveInfinity);

    private static float[] AsFloats(Tensor t) => t.detach().to(ScalarType.Float32).contiguous().data<float>().ToArray();

    [Fact]
    public void Updates_below_half_a_bf16_ulp_accumulate_as_in_float32()
    {
        using var scope = NewDisposeScope();
        var c = Coefficients();
        var half = new Parameter(StartWeights());
        var full = new Parameter(StartWeights().to(ScalarType.Float32));
        using var mixed = new PolicyOptimizer([half], Settings);
        using var reference = new PolicyOptimizer([full], Settings);
        Assert.True(mixed.HasMasterWeights);
        Assert.False(reference.HasMasterWeights);

        var start = AsFloats(half);
        for (var step = 0; step < 300; step++)
        {
            mixed.Step(() => (half.to(ScalarType.Float32) * c).sum());
            reference.Step(() => (full * c).sum());
            if (step % 50 == 49) Assert.Equal(AsFloats(full.to(ScalarType.BFloat16)), AsFloats(half));
        }
        Assert.Equal(ScalarType.BFloat16, half.dtype);
        // 300 steps of ≈1e-5 move each weight by ≈3e-3, some 25 ulps: the bf16 weights really moved.
        var moved = AsFloats(half).Zip(start, (a, b) => Math.Abs(a - b)).Min();
        Assert.True(moved > 2e-3, $"the smallest move was {moved}");
    }

    [Fact]
    public void Pure_bf16_adamw_would_not_move_at_all()
    {
        // What the optimizer did before masters: AdamW straight on the bf16 weights. Every update rounds away.
        using var scope = NewDisposeScope();
        var c = Coefficients().to(ScalarType.BFloat16);
        var half = new Parameter(StartWeights());
        var start = AsFloats(half);
        using var adamW = new AdamW([half], 1e-5, 0.9, 0.999, 1e-8, 0.0, false, false);
        for (var step = 0; step < 300; step++)
        {
            adamW.zero_grad();
            (half * c).sum().backward();
            adamW.step();
        }
        Assert.Equal(start, AsFloats(half));
    }

    [Fact]
    public void Saved_masters_and_moments_resume_bit_for_bit()
    {
        using var scope = NewDisposeScope();
        var c = Coefficients();
        Tensor Loss(Parameter w, int step) => ((w.to(ScalarType.Float32) * c).sum() * (1 + 0.1 * step)).square();
        var original = new Parameter(StartWeights());
        using var first = new PolicyOptimizer([original], Settings with { ClipGradNorm = 1.0 });
        for (var s = 0; s < 5; s++) first.Step(() => Loss(original, s));
        var path = Path.Combine(_dir, "optimizer.bin");
        first.SaveState(path);

        // A model restored from the bf16 weights alone has lost the masters' low bits; the state file brings them back.
        var resumed = new Parameter(original.detach().clone());
        using var second = new PolicyOptimizer([resumed], Settings with { ClipGradNorm = 1.0 });
        second.LoadState(path);
        for (var s = 5; s < 40; s++)
        {
            first.Step(() => Loss(original, s));
            second.Step(() => Loss(resumed, s));
        }
        Assert.Equal(AsFloats(original), AsFloats(resumed));
        Assert.Equal(AsFloats(first.MasterWeightsOf(0)), AsFloats(second.MasterWeightsOf(0)));
    }

    [Fact]
    public void Micro_batch_gradients_are_summed_in_float32()
    {
        // Two micro-batches whose bf16 gradients differ by far more than bf16 can hold in one sum: 1 + 2^-10 rounds to 1
        // in bf16, but the float32 master gradient keeps it, so the step equals the float32 run's.
        using var scope = NewDisposeScope();
        var half = new Parameter(torch.full(4, 0.5f).to(ScalarType.BFloat16));
        var full = new Parameter(torch.full(4, 0.5f));
        var settings = new OptimizerSettings(LearningRate: 1e-2, WeightDecay: 0, ClipGradNorm: 0.5);
        using var mixed = new PolicyOptimizer([half], settings);
        using var reference = new PolicyOptimizer([full], settings);
        var a = mixed.Step([() => half.to(ScalarType.Float32).sum(), () => half.to(ScalarType.Float32).sum() * Math.Pow(2, -10)]);
        var b = reference.Step([() => full.sum(), () => full.sum() * Math.Pow(2, -10)]);
        Assert.Equal(b.GradientNorm, a.GradientNorm, 12);
        Assert.Equal(AsFloats(full.to(ScalarType.BFloat16)), AsFloats(half));
    }
}

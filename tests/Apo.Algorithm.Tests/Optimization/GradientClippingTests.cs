using Apo.Algorithm.Optimization;
using TorchSharp;
using TorchSharp.Modules;
using static Apo.Algorithm.Tests.TestTensors;
using static TorchSharp.torch;

namespace Apo.Algorithm.Tests.Optimization;

/// <summary>Runs alone: TorchSharp's live-tensor count is process-wide, so parallel tests would disturb it.</summary>
[CollectionDefinition(nameof(GradientClippingTests), DisableParallelization = true)]
public class GradientClippingTestsCollection;

[Collection(nameof(GradientClippingTests))]
public class GradientClippingTests
{
    /// <summary>A parameter of <paramref name="values"/>' shape and dtype whose gradient is <paramref name="values"/>.</summary>
    private static Parameter WithGradient(Tensor values)
    {
        var p = new Parameter(zeros_like(values));
        p.grad = values;
        return p;
    }

    [Fact]
    public void Total_norm_over_mixed_dtypes_matches_the_hand_computed_value_and_scales_every_gradient()
    {
        // Per-tensor norms 3 (float32), 4 (float64), 12 (float32), 84 (bfloat16, exact in 8 bits):
        // ‖g‖ = √(9 + 16 + 144 + 7056) = √7225 = 85, clipped to 17 → factor 17 / (85 + 1e-6).
        using var scope = NewDisposeScope();
        var grads = new[]
        {
            tensor(new float[] { 1, 2, 2 }),
            tensor(new double[] { 4 }),
            tensor(new float[] { 12, 0 }).view(2, 1),
            tensor(new float[] { 0, 84 }).to_type(ScalarType.BFloat16),
        };
        var parameters = grads.Select(WithGradient).Append(new Parameter(ones(3))).ToArray();   // the last has no gradient

        Assert.Equal(85.0, GradientClipping.ClipTotalNorm(parameters, maxNorm: 100), 12);
        Assert.Equal(new double[] { 1, 2, 2 }, Values(parameters[0].grad!));   // below the limit: untouched

        Assert.Equal(85.0, GradientClipping.ClipTotalNorm(parameters, maxNorm: 17), 12);
        var factor = 17 / (85 + 1e-6);
        var expected = new[] { new[] { 1.0, 2, 2 }, new[] { 4.0 }, new[] { 12.0, 0 }, new[] { 0.0, 84 } };
        // Relative: float32, float64, float32, bfloat16 (two 2⁻⁸ roundings: torch multiplies a
        // bfloat16 tensor by the factor rounded to bfloat16, then rounds the product).
        var tolerance = new[] { 1e-6, 1e-14, 1e-6, 8e-3 };
        for (var i = 0; i < grads.Length; i++)
        {
            var g = parameters[i].grad!;
            Assert.Equal(grads[i].dtype, g.dtype);
            var actual = Values(g);
            for (var j = 0; j < actual.Length; j++)
                Assert.True(Math.Abs(actual[j] - expected[i][j] * factor) <= tolerance[i] * expected[i][j] * factor,
                    $"gradient {i}[{j}] = {actual[j]}, expected {expected[i][j] * factor}");
        }
        Assert.Null(parameters[^1].grad);
    }

    [Fact]
    public void Matches_libtorch_clip_grad_norm_on_random_float32_gradients()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(42);
        var shapes = new long[][] { [64, 32], [32], [7, 3, 5], [1] };
        var ours = shapes.Select(s => WithGradient(randn(s, generator: generator) * 3)).ToArray();
        var reference = ours.Select(p => WithGradient(p.grad!.clone())).ToArray();

        var norm = GradientClipping.ClipTotalNorm(ours, maxNorm: 1.0);
        var referenceNorm = nn.utils.clip_grad_norm_(reference, 1.0);

        Assert.True(Math.Abs(norm - referenceNorm) <= 1e-6 * referenceNorm, $"ours {norm}, libtorch {referenceNorm}");
        for (var i = 0; i < ours.Length; i++)
            Assert.True(ours[i].grad!.allclose(reference[i].grad!, rtol: 1e-5, atol: 1e-7), $"gradient {i} differs from libtorch's clip");
    }

    [Fact]
    public void Non_finite_norm_is_returned_and_nothing_is_scaled()
    {
        using var scope = NewDisposeScope();
        var p = WithGradient(tensor(new float[] { 1, float.PositiveInfinity }));
        var q = WithGradient(tensor(new double[] { 3 }));
        Assert.Equal(double.PositiveInfinity, GradientClipping.ClipTotalNorm([p, q], maxNorm: 1));
        Assert.Equal(new double[] { 3 }, Values(q.grad!));
        Assert.True(double.IsNaN(GradientClipping.ClipTotalNorm([WithGradient(tensor(new float[] { float.NaN }))], maxNorm: 1)));
    }

    [Fact]
    public void A_large_float32_gradient_is_clipped_without_leaving_tensors_behind()
    {
        // 10M elements of 0.5: ‖g‖ = 0.5·√10⁷. No garbage is collected: a collection would finalize a
        // tensor the clip leaked and hide it. Finalizers already queued by the runtime are drained
        // first, and if the runtime itself collects during the measurement (another test's garbage
        // may then be finalized in between) it is measured again on fresh tensors.
        const long count = 10_000_000;
        for (var attempt = 0; ; attempt++)
        {
            using var scope = NewDisposeScope();
            using var values = full(count, 0.5, dtype: ScalarType.Float32);
            var p = WithGradient(values);
            using var g = p.grad!;
            GC.WaitForPendingFinalizers();
            var collections = GC.CollectionCount(0);

            var before = Tensor.TotalCount;
            var norm = GradientClipping.ClipTotalNorm([p], maxNorm: 1.0);
            var after = Tensor.TotalCount;

            if (GC.CollectionCount(0) != collections && attempt < 2) continue;
            Assert.Equal(before, after);
            Assert.True(Math.Abs(norm - 0.5 * Math.Sqrt(count)) <= 1e-6 * norm, $"norm {norm}, expected {0.5 * Math.Sqrt(count)}");
            var factor = 1.0 / (norm + 1e-6);
            Assert.Equal(0.5 * factor, g.max().ToDouble(), 9);
            Assert.Equal(0.5 * factor, g.min().ToDouble(), 9);
            return;
        }
    }
}

using TorchSharp;
using Apo.Algorithm.TensorMath;
using static Apo.Algorithm.Tests.TestTensors;
using static TorchSharp.torch;

namespace Apo.Algorithm.Tests.TensorMath;

public class MaskedTests
{
    [Fact]
    public void Mean_variance_and_whitening_use_only_masked_tokens()
    {
        // Valid values {1, 2, 3, 6}: mean 3, squared deviations 4+1+0+9 = 14, unbiased var 14/3.
        using var scope = NewDisposeScope();
        var values = Mat(new double[,] { { 1, 2, 100 }, { 3, 6, -50 } });
        var mask = Mat(new double[,] { { 1, 1, 0 }, { 1, 1, 0 } });

        Assert.Equal(3.0, Masked.Mean(values, mask).ToDouble(), 12);
        Assert.Equal(14.0 / 3, Masked.Variance(values, mask).ToDouble(), 12);
        Assert.Equal(14.0 / 4, Masked.Variance(values, mask, unbiased: false).ToDouble(), 12);

        var whitened = Values(Masked.Whiten(values, mask));
        var scale = 1 / Math.Sqrt(14.0 / 3 + 1e-8);
        Assert.Equal((1 - 3) * scale, whitened[0], 12);
        Assert.Equal((6 - 3) * scale, whitened[4], 12);
    }

    [Fact]
    public void An_empty_mask_is_an_error()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => Masked.Mean(Vec(1, 2), Vec(0, 0)));
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Apo.Algorithm.Tests;

/// <summary>Small helpers to build float64 tensors and read them back.</summary>
internal static class TestTensors
{
    public static Tensor Vec(params double[] values) => tensor(values, dtype: float64);

    public static Tensor Mat(double[,] values) => tensor(values, dtype: float64);

    public static double[] Values(Tensor t)
    {
        using var c = t.detach().to(ScalarType.Float64, CPU).contiguous();
        return c.data<double>().ToArray();
    }
}

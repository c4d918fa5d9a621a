using System.Diagnostics;
using static TorchSharp.torch;

namespace Apo.Model.Diagnostics;

/// <summary>
/// What this machine can do, measured in the same process as the figure it bounds: the matmul rate
/// (the compute limit) and the memory copy bandwidth (the limit of a step that streams every weight).
/// Medians of 5 timed runs after a warm-up.
/// </summary>
public static class MachineRates
{
    /// <summary>
    /// FLOP/s of an [m × k]·[k × n] product in <paramref name="dtype"/> with the operands laid out as a layer's
    /// three matmuls lay them out: "NT" x·Wᵀ (forward), "NN" g·W (gradient of the input), "TN" gᵀ·x (gradient of the weight).
    /// </summary>
    public static double Matmul(int m, int k, int n, ScalarType dtype, string layout)
    {
        using var scope = NewDisposeScope();
        Func<Tensor> product = layout switch
        {
            "NN" => Bind(randn(m, k).to(dtype), randn(k, n).to(dtype), (a, b) => a.matmul(b)),
            "NT" => Bind(randn(m, k).to(dtype), randn(n, k).to(dtype), (a, b) => nn.functional.linear(a, b)),
            "TN" => Bind(randn(k, m).to(dtype), randn(k, n).to(dtype), (a, b) => a.t().matmul(b)),
            _ => throw new ArgumentException($"layout \"{layout}\" is not NN, NT or TN", nameof(layout)),
        };
        return Median(() => { using var result = product(); }, seconds => 2.0 * m * k * n / seconds);

        static Func<Tensor> Bind(Tensor a, Tensor b, Func<Tensor, Tensor, Tensor> f) => () => f(a, b);
    }

    /// <summary>
    /// Bytes per second of copying a <paramref name="bytes"/>-byte buffer into another, counting what is read
    /// and what is written (the STREAM "copy" convention), on the CPU with the current thread count.
    /// </summary>
    public static double CopyBandwidth(long bytes = 1L << 30)
    {
        using var scope = NewDisposeScope();
        var source = ones(bytes / 4, dtype: ScalarType.Float32);
        var target = zeros(bytes / 4, dtype: ScalarType.Float32);
        return Median(() => target.copy_(source), seconds => 2.0 * bytes / seconds);
    }

    static double Median(Action run, Func<double, double> rate)
    {
        run(); // warm-up, untimed
        var rates = new List<double>();
        for (int i = 0; i < 5; i++)
        {
            var clock = Stopwatch.StartNew();
            run();
            rates.Add(rate(clock.Elapsed.TotalSeconds));
        }
        return rates.Order().ElementAt(2);
    }
}

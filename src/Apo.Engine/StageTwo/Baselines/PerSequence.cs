using Apo.Algorithm.Optimization;
using static TorchSharp.torch;

namespace Apo.Engine.StageTwo.Baselines;

/// <summary>Moves per-token numbers between ragged per-sequence arrays and right-padded [B, R] tensors (0 on padding).</summary>
static class PerSequence
{
    /// <summary>Rows <paramref name="part"/> of <paramref name="rows"/>, padded to <paramref name="width"/> columns, float32.</summary>
    public static Tensor Pad(IReadOnlyList<float[]> rows, MiniBatchSlice part, long width, Device device)
    {
        var data = new float[part.Count * width];
        for (int b = 0; b < part.Count; b++)
        {
            var row = rows[part.Start + b];
            if (row.Length > width) throw new ArgumentException($"row {part.Start + b} has {row.Length} entries; the width is {width}");
            Array.Copy(row, 0, data, b * width, row.Length);
        }
        return tensor(data, [part.Count, width], device: device);
    }

    /// <summary>Every row, padded to the longest.</summary>
    public static Tensor Pad(IReadOnlyList<float[]> rows, Device device) =>
        Pad(rows, new MiniBatchSlice(0, rows.Count), rows.Max(r => r.Length), device);

    /// <summary>The first <c>lengths[b]</c> entries of each row of a [B, R] tensor.</summary>
    public static float[][] Unpad(Tensor values, IReadOnlyList<int> lengths)
    {
        using var cpu = values.detach().to(ScalarType.Float32, CPU).contiguous();
        var flat = cpu.data<float>().ToArray();
        int width = (int)values.shape[1];
        return lengths.Select((length, b) => flat.AsSpan(b * width, length).ToArray()).ToArray();
    }
}

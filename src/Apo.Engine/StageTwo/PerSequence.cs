using static TorchSharp.torch;

namespace Apo.Engine.StageTwo;

/// <summary>Moves per-token numbers between ragged per-sequence arrays and right-padded [B, R] tensors (0 on padding).</summary>
static class PerSequence
{
    /// <summary>The rows <paramref name="part"/> of <paramref name="rows"/>, in that order, padded to <paramref name="width"/> columns, float32.</summary>
    public static Tensor Pad(IReadOnlyList<float[]> rows, IReadOnlyList<int> part, long width, Device device)
    {
        var data = new float[part.Count * width];
        for (int b = 0; b < part.Count; b++)
        {
            var row = rows[part[b]];
            if (row.Length > width) throw new ArgumentException($"row {part[b]} has {row.Length} entries; the width is {width}");
            Array.Copy(row, 0, data, b * width, row.Length);
        }
        return tensor(data, [part.Count, width], device: device);
    }

    /// <summary>Every row, padded to the longest.</summary>
    public static Tensor Pad(IReadOnlyList<float[]> rows, Device device) =>
        Pad(rows, Enumerable.Range(0, rows.Count).ToArray(), rows.Max(r => r.Length), device);

    /// <summary>The first <c>lengths[b]</c> entries of each row of a [B, R] tensor.</summary>
    public static float[][] Unpad(Tensor values, IReadOnlyList<int> lengths)
    {
        using var cpu = values.detach().to(ScalarType.Float32, CPU).contiguous();
        var flat = cpu.data<float>().ToArray();
        int width = (int)values.shape[1];
        return lengths.Select((length, b) => flat.AsSpan(b * width, length).ToArray()).ToArray();
    }

    /// <summary>A per-rollout value for each row of <paramref name="part"/>, as a float32 vector.</summary>
    public static Tensor Gather(IReadOnlyList<double> values, IReadOnlyList<int> part, Device device) =>
        tensor(part.Select(i => (float)values[i]).ToArray(), device: device);
}

using TorchSharp;
using static TorchSharp.torch;

namespace Apo.Algorithm.TensorMath;

/// <summary>Argument checks shared by the losses: wrong shapes fail loudly, with the tensor's name.</summary>
internal static class TensorChecks
{
    public static long RequireVector(Tensor tensor, string name)
    {
        ArgumentNullException.ThrowIfNull(tensor, name);
        if (tensor.dim() != 1)
            throw new ArgumentException($"{name} must be a vector [B]; got shape [{string.Join(", ", tensor.shape)}].", name);
        return tensor.shape[0];
    }

    public static void RequireVector(Tensor tensor, string name, long length)
    {
        var actual = RequireVector(tensor, name);
        if (actual != length)
            throw new ArgumentException($"{name} has {actual} entries; expected {length} (one per sequence).", name);
    }

    public static (long Rows, long Columns) RequireMatrix(Tensor tensor, string name)
    {
        ArgumentNullException.ThrowIfNull(tensor, name);
        if (tensor.dim() != 2)
            throw new ArgumentException($"{name} must be a matrix [B, T]; got shape [{string.Join(", ", tensor.shape)}].", name);
        return (tensor.shape[0], tensor.shape[1]);
    }

    public static void RequireMatrix(Tensor tensor, string name, long rows, long columns)
    {
        var (r, c) = RequireMatrix(tensor, name);
        if (r != rows || c != columns)
            throw new ArgumentException($"{name} has shape [{r}, {c}]; expected [{rows}, {columns}].", name);
    }

    public static void RequireNonEmpty(long count, string name)
    {
        if (count == 0) throw new ArgumentException($"{name} is empty; a loss needs at least one sequence.", name);
    }

    public static void RequireFinite(double value, string name)
    {
        if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number.");
    }

    public static void RequirePositive(double value, string name)
    {
        if (!double.IsFinite(value) || value <= 0) throw new ArgumentOutOfRangeException(name, value, $"{name} must be a positive finite number.");
    }

    public static void RequireNonNegative(double value, string name)
    {
        if (!double.IsFinite(value) || value < 0) throw new ArgumentOutOfRangeException(name, value, $"{name} must be a non-negative finite number.");
    }
}

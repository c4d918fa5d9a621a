using TorchSharp;
using static TorchSharp.torch;

namespace Apo.Model.Checkpoints;

/// <summary>
/// Moves the raw bytes of a contiguous CPU tensor to or from a stream in pieces. Tensor.bytes is a
/// Span&lt;byte&gt;, so it cannot cover more than int.MaxValue bytes, and a Qwen2.5-7B embedding in
/// float32 (151936 × 3584 × 4 = 2.18 GB) is larger. Each piece is a narrow() view of the tensor, so
/// its span points straight into the tensor's native memory: no managed copy, no second tensor.
/// </summary>
internal static class TensorBytes
{
    /// <summary>256 MiB: few enough native calls to be free, small enough to stay far below the span limit.</summary>
    internal const int DefaultPieceBytes = 256 << 20;

    internal delegate void PieceAction(Span<byte> piece);

    /// <summary>Bytes a tensor occupies when stored densely (numel × element size), checked for overflow.</summary>
    internal static long ByteCount(Tensor tensor) => checked(tensor.numel() * tensor.element_size());

    /// <summary>Calls <paramref name="action"/> on consecutive spans that together cover the tensor's bytes in order.</summary>
    internal static void ForEachPiece(Tensor tensor, int pieceBytes, PieceAction action)
    {
        if (tensor.device_type != DeviceType.CPU || !tensor.is_contiguous())
            throw new ArgumentException("piecewise byte access needs a contiguous CPU tensor", nameof(tensor));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pieceBytes);
        long total = tensor.numel();
        if (total == 0) return;
        // Whole elements per piece (at least one), so every piece is a plain narrow() of the flat view.
        long step = Math.Max(1, pieceBytes / tensor.element_size());
        using var flat = tensor.view(-1);
        for (long start = 0; start < total; start += step)
        {
            using var piece = flat.narrow(0, start, Math.Min(step, total - start));
            action(piece.bytes);
        }
    }

    internal static void Write(Stream stream, Tensor tensor, int pieceBytes) =>
        ForEachPiece(tensor, pieceBytes, piece => stream.Write(piece));

    /// <summary>Fills the tensor from the stream; throws EndOfStreamException if the stream ends first.</summary>
    internal static void Read(Stream stream, Tensor tensor, int pieceBytes) =>
        ForEachPiece(tensor, pieceBytes, piece => stream.ReadExactly(piece));
}

using Apo.Common.IO;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Apo.Algorithm.Optimization;

/// <summary>
/// File format of a saved <see cref="PolicyOptimizer"/>: a small header (magic, version, step count,
/// parameter shapes, so a wrong file fails with a clear message), the float32 master weights of
/// half-precision parameters (count, then per master its parameter index and raw little-endian bytes),
/// then per parameter its AdamW step count, first and second moments (raw bytes, written in pieces, so a
/// tensor over 2 GiB — a 7B embedding's float32 moments — is no special case). Hyperparameters are not
/// stored: they come from the settings in force. Versions 1 and 2 held TorchSharp's AdamW state
/// dictionary, which the optimizer no longer uses; such files are refused with a message that says so.
/// </summary>
internal static class OptimizerStateFile
{
    private const string Magic = "APO-ADAMW-STATE";
    private const int Version = 3;
    private const int CopyPiece = 16 << 20;

    public static void Save(PolicyOptimizer optimizer, string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            writer.Write(Magic);
            writer.Write(Version);
            writer.Write(optimizer.StepCount);
            writer.Write(optimizer.Parameters.Count);
            foreach (var p in optimizer.Parameters)
            {
                writer.Write(p.shape.Length);
                foreach (var d in p.shape) writer.Write(d);
            }
            var masters = optimizer.MasterWeights.Separate.ToArray();
            writer.Write(masters.Length);
            foreach (var i in masters)
            {
                writer.Write(i);
                WriteRaw(writer, optimizer.MasterWeights.Masters[i]);
            }
            var moments = optimizer.Moments;
            for (var i = 0; i < optimizer.Parameters.Count; i++)
            {
                writer.Write(moments.Steps[i]);
                WriteRaw(writer, moments.ExpAvg[i]);
                WriteRaw(writer, moments.ExpAvgSq[i]);
            }
            writer.Flush();
        });
    }

    /// <returns>The saved step count.</returns>
    public static long Load(PolicyOptimizer optimizer, string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: optimizer state file not found.", path);

        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        try
        {
            string magic;
            try { magic = reader.ReadString(); }
            catch (Exception e) when (e is EndOfStreamException or FormatException)
            {
                throw new InvalidDataException($"{path}: not an A*-PO optimizer state file (bad header).", e);
            }
            if (magic != Magic) throw new InvalidDataException($"{path}: not an A*-PO optimizer state file (bad header).");
            var version = reader.ReadInt32();
            if (version is 1 or 2)
                throw new InvalidDataException($"{path}: optimizer state format version {version} was written by an earlier apo (TorchSharp's AdamW state); " +
                    $"this one reads version {Version}: resume that run with the version that wrote it, or start it again.");
            if (version != Version) throw new InvalidDataException($"{path}: optimizer state format version {version} is not supported (expected {Version}).");
            var stepCount = reader.ReadInt64();
            if (stepCount < 0) throw new InvalidDataException($"{path}: step count {stepCount} is negative.");

            var count = reader.ReadInt32();
            if (count != optimizer.Parameters.Count)
                throw new InvalidDataException($"{path}: holds state for {count} parameters; this optimizer has {optimizer.Parameters.Count}.");
            for (var i = 0; i < count; i++)
            {
                var rank = reader.ReadInt32();
                if (rank < 0 || rank > 16) throw new InvalidDataException($"{path}: parameter {i} has an invalid rank {rank}.");
                var shape = new long[rank];
                for (var d = 0; d < rank; d++) shape[d] = reader.ReadInt64();
                var expected = optimizer.Parameters[i].shape;
                if (!shape.SequenceEqual(expected))
                    throw new InvalidDataException(
                        $"{path}: parameter {i} has shape [{string.Join(", ", shape)}] in the file but [{string.Join(", ", expected)}] in the model.");
            }

            ReadMasters(optimizer, reader, path);
            var moments = optimizer.Moments;
            for (var i = 0; i < count; i++)
            {
                var steps = reader.ReadInt64();
                if (steps < 0) throw new InvalidDataException($"{path}: parameter {i} has a negative AdamW step count {steps}.");
                moments.Steps[i] = steps;
                ReadRaw(reader, moments.ExpAvg[i], path);
                ReadRaw(reader, moments.ExpAvgSq[i], path);
            }
            if (stream.Position != stream.Length)
                throw new InvalidDataException($"{path}: {stream.Length - stream.Position} unexpected bytes after the optimizer state.");
            return stepCount;
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{path}: optimizer state file is truncated.", e);
        }
    }

    private static void ReadMasters(PolicyOptimizer optimizer, BinaryReader reader, string path)
    {
        var expected = optimizer.MasterWeights.Separate.ToArray();
        var count = reader.ReadInt32();
        if (count != expected.Length)
            throw new InvalidDataException($"{path}: holds {count} float32 master weights; this optimizer has {expected.Length} half-precision parameters.");
        foreach (var i in expected)
        {
            var index = reader.ReadInt32();
            if (index != i) throw new InvalidDataException($"{path}: master weights are for parameter {index}; expected parameter {i}.");
            ReadRaw(reader, optimizer.MasterWeights.Masters[i], path);
        }
    }

    /// <summary>A tensor's bytes in pieces (contiguous 1-D views of ≤ 16 MiB), so a tensor over 2 GiB (a 7B embedding
    /// in float32) is no special case: one span of <c>Tensor.bytes</c> cannot exceed 2 GiB.</summary>
    private static void WriteRaw(BinaryWriter writer, Tensor tensor)
    {
        using var scope = torch.NewDisposeScope();
        var flat = tensor.detach().cpu().contiguous().reshape(-1);
        long count = flat.numel(), piece = Math.Max(1, CopyPiece / flat.ElementSize);
        writer.Write(count * flat.ElementSize);
        for (long start = 0; start < count; start += piece)
        {
            using var view = flat.narrow(0, start, Math.Min(piece, count - start));
            writer.Write(view.bytes);
        }
    }

    private static void ReadRaw(BinaryReader reader, Tensor destination, string path)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var staging = torch.empty(destination.numel(), destination.dtype);
        long count = staging.numel(), piece = Math.Max(1, CopyPiece / staging.ElementSize);
        long total = reader.ReadInt64();
        if (total != count * staging.ElementSize)
            throw new InvalidDataException($"{path}: a master weight holds {total} bytes; the parameter needs {count * staging.ElementSize}.");
        for (long start = 0; start < count; start += piece)
        {
            using var view = staging.narrow(0, start, Math.Min(piece, count - start));
            reader.BaseStream.ReadExactly(view.bytes);
        }
        destination.copy_(staging.view(destination.shape));
    }
}

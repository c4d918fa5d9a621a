using Apo.Common.IO;
using System.Text;

namespace Apo.Algorithm.Optimization;

/// <summary>
/// File format of a saved <see cref="PolicyOptimizer"/>: a small header of ours (magic, version,
/// step count, parameter shapes, so a wrong file fails with a clear message) followed by
/// TorchSharp's own AdamW state dictionary (options, per-parameter step, exp_avg, exp_avg_sq).
/// </summary>
internal static class OptimizerStateFile
{
    private const string Magic = "APO-ADAMW-STATE";
    private const int Version = 1;

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
            optimizer.Inner.save_state_dict(writer);
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

            optimizer.Inner.load_state_dict(reader);
            if (stream.Position != stream.Length)
                throw new InvalidDataException($"{path}: {stream.Length - stream.Position} unexpected bytes after the optimizer state.");
            return stepCount;
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{path}: optimizer state file is truncated.", e);
        }
    }
}

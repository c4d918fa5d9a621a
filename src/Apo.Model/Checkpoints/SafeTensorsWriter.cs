using Apo.Common.IO;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace Apo.Model.Checkpoints;

/// <summary>Writes tensors to one .safetensors file, atomically, optionally converting their dtype.</summary>
public static class SafeTensorsWriter
{
    /// <summary>Header alignment used by the reference implementation, so tensor data starts 8-byte aligned.</summary>
    const int HeaderAlignment = 8;

    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors,
        ScalarType? storeAs = null, IReadOnlyDictionary<string, string>? metadata = null) =>
        Write(path, tensors, storeAs, metadata, TensorBytes.DefaultPieceBytes);

    /// <param name="pieceBytes">Bytes written per call; tests make it tiny to exercise the piecewise path.</param>
    internal static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors,
        ScalarType? storeAs, IReadOnlyDictionary<string, string>? metadata, int pieceBytes)
    {
        var items = tensors.ToList();
        var duplicate = items.GroupBy(t => t.Key).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"tensor \"{duplicate.Key}\" given twice");

        var header = BuildHeader(items, storeAs, metadata, out var types);
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BitConverter.TryWriteBytes(length, (long)header.Length);
            stream.Write(length);
            stream.Write(header);
            for (int i = 0; i < items.Count; i++)
            {
                using var scope = NewDisposeScope();
                // Conversion, device copy and contiguous() make a CPU staging tensor only when needed
                // (it may itself exceed 2 GiB); the bytes then go out in pieces.
                var tensor = items[i].Value.detach();
                if (tensor.dtype != types[i]) tensor = tensor.to_type(types[i]);
                if (tensor.device_type != DeviceType.CPU) tensor = tensor.cpu();
                TensorBytes.Write(stream, tensor.contiguous(), pieceBytes);
            }
        });
    }

    static byte[] BuildHeader(List<KeyValuePair<string, Tensor>> items, ScalarType? storeAs,
        IReadOnlyDictionary<string, string>? metadata, out ScalarType[] types)
    {
        types = new ScalarType[items.Count];
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata) json.WriteString(k, v);
                json.WriteEndObject();
            }
            long offset = 0;
            for (int i = 0; i < items.Count; i++)
            {
                var tensor = items[i].Value;
                types[i] = storeAs is { } s && tensor.is_floating_point() ? s : tensor.dtype;
                string dtypeName = SafeTensorsDType.NameOf(types[i]);
                SafeTensorsDType.TryParse(dtypeName, out _, out int elementSize);
                long bytes = checked(tensor.numel() * elementSize);
                json.WriteStartObject(items[i].Key);
                json.WriteString("dtype", dtypeName);
                json.WriteStartArray("shape");
                foreach (long d in tensor.shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(checked(offset + bytes));
                json.WriteEndArray();
                json.WriteEndObject();
                offset = checked(offset + bytes);
            }
            json.WriteEndObject();
        }
        int padding = (HeaderAlignment - (int)(buffer.Length % HeaderAlignment)) % HeaderAlignment;
        for (int i = 0; i < padding; i++) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }
}

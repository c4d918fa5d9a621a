using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace Apo.Model.Checkpoints;

/// <summary>
/// Reads one .safetensors file (an 8-byte little-endian header length, a JSON header, then raw
/// little-endian tensor bytes). Tensors are read one at a time, straight into native memory, so a
/// checkpoint larger than RAM-for-two-copies still loads.
/// </summary>
public sealed class SafeTensorsFile : IDisposable
{
    const long MaxHeaderBytes = 100L << 20;

    readonly FileStream stream;
    readonly long dataStart;

    public string Path { get; }
    public IReadOnlyDictionary<string, TensorEntry> Entries { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }

    SafeTensorsFile(string path, FileStream stream, long dataStart, Dictionary<string, TensorEntry> entries, Dictionary<string, string> metadata)
    {
        Path = path;
        this.stream = stream;
        this.dataStart = dataStart;
        Entries = entries;
        Metadata = metadata;
    }

    public static SafeTensorsFile Open(string path)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors reading needs a little-endian machine");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: checkpoint file not found", path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            var (entries, metadata, dataStart) = ReadHeader(path, stream);
            return new SafeTensorsFile(path, stream, dataStart, entries, metadata);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Reads a tensor as stored (or converted to <paramref name="asType"/>) onto <paramref name="device"/>.</summary>
    public Tensor Read(string name, ScalarType? asType = null, Device? device = null)
    {
        var entry = EntryOrThrow(name);
        using var scope = NewDisposeScope();
        var raw = empty(entry.Shape, entry.DType);
        Fill(entry, raw);
        var result = asType is { } t && t != entry.DType ? raw.to_type(t) : raw;
        if (device is not null && device.type != DeviceType.CPU) result = result.to(device);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Copies a stored tensor into an existing one (e.g. a model parameter), converting dtype and device.</summary>
    public void ReadInto(string name, Tensor destination)
    {
        var entry = EntryOrThrow(name);
        if (!entry.Shape.SequenceEqual(destination.shape))
            throw new InvalidDataException(
                $"{Path}: tensor \"{name}\" has shape [{string.Join(", ", entry.Shape)}] but the model expects [{string.Join(", ", destination.shape)}]");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        if (entry.DType == destination.dtype && destination.device_type == DeviceType.CPU && destination.is_contiguous())
        {
            Fill(entry, destination);
            return;
        }
        var raw = empty(entry.Shape, entry.DType);
        Fill(entry, raw);
        destination.copy_(raw);
    }

    TensorEntry EntryOrThrow(string name) =>
        Entries.TryGetValue(name, out var entry) ? entry : throw new InvalidDataException($"{Path}: no tensor named \"{name}\"");

    /// <summary>
    /// Bytes moved per read. Internal so tests can force many pieces on a small tensor; the
    /// default keeps each span far below the int.MaxValue limit of Span&lt;byte&gt;.
    /// </summary>
    internal int PieceBytes { get; set; } = TensorBytes.DefaultPieceBytes;

    /// <summary>Reads the entry's bytes straight into <paramref name="target"/> (contiguous, CPU, of the entry's dtype).</summary>
    void Fill(TensorEntry entry, Tensor target)
    {
        if (TensorBytes.ByteCount(target) != entry.ByteCount)
            throw new InvalidDataException(
                $"{Path}: tensor \"{entry.Name}\" has {entry.ByteCount} bytes in the file but its destination holds {TensorBytes.ByteCount(target)}");
        stream.Seek(checked(dataStart + entry.Begin), SeekOrigin.Begin);
        try
        {
            TensorBytes.Read(stream, target, PieceBytes);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"{Path}: file ends inside tensor \"{entry.Name}\" (truncated checkpoint?)");
        }
    }

    static (Dictionary<string, TensorEntry>, Dictionary<string, string>, long) ReadHeader(string path, FileStream stream)
    {
        Span<byte> lengthBytes = stackalloc byte[8];
        if (stream.Read(lengthBytes) != 8) throw new InvalidDataException($"{path}: too short to be a safetensors file");
        long headerLength = BitConverter.ToInt64(lengthBytes);
        if (headerLength <= 0 || headerLength > MaxHeaderBytes || 8 + headerLength > stream.Length)
            throw new InvalidDataException($"{path}: invalid safetensors header length {headerLength}");
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        long dataStart = 8 + headerLength;
        long dataLength = stream.Length - dataStart;

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: safetensors header is not valid JSON: {e.Message}");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{path}: safetensors header must be a JSON object");
            var entries = new Dictionary<string, TensorEntry>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    foreach (var m in property.Value.EnumerateObject()) metadata[m.Name] = m.Value.ToString();
                    continue;
                }
                entries[property.Name] = ParseEntry(path, property.Name, property.Value, dataLength);
            }
            return (entries, metadata, dataStart);
        }
    }

    static TensorEntry ParseEntry(string path, string name, JsonElement value, long dataLength)
    {
        string where = $"{path}: tensor \"{name}\"";
        if (value.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{where}: header entry is not an object");
        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw new InvalidDataException($"{where}: missing \"dtype\"");
        string dtypeName = dtypeElement.GetString()!;
        if (!SafeTensorsDType.TryParse(dtypeName, out var dtype, out int elementSize))
            throw new InvalidDataException($"{where}: unsupported dtype \"{dtypeName}\"");
        if (!value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{where}: missing \"shape\"");
        var shape = shapeElement.EnumerateArray().Select(d => d.TryGetInt64(out long v) && v >= 0 ? v
            : throw new InvalidDataException($"{where}: shape entries must be non-negative integers")).ToArray();
        if (!value.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw new InvalidDataException($"{where}: missing \"data_offsets\" [begin, end]");
        if (!TryGetLong(offsets[0], out long begin) || !TryGetLong(offsets[1], out long end))
            throw new InvalidDataException($"{where}: data_offsets must be integers");
        long expected;
        try
        {
            expected = checked(shape.Aggregate(1L, (a, b) => checked(a * b)) * elementSize);
        }
        catch (OverflowException)
        {
            throw new InvalidDataException($"{where}: shape [{string.Join(", ", shape)}] is too large to address");
        }
        if (begin < 0 || end < begin || end > dataLength)
            throw new InvalidDataException($"{where}: data_offsets [{begin}, {end}] lie outside the file's {dataLength} data bytes");
        if (end - begin != expected)
            throw new InvalidDataException($"{where}: data_offsets cover {end - begin} bytes but {dtypeName}[{string.Join(", ", shape)}] needs {expected}");
        return new TensorEntry(name, path, dtype, shape, begin, end);
    }

    // JsonElement.TryGetInt64 throws (rather than answering false) when the element is not a number.
    static bool TryGetLong(JsonElement element, out long value)
    {
        value = 0;
        return element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out value);
    }

    public void Dispose() => stream.Dispose();
}

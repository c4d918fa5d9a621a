using System.Buffers.Binary;
using System.Text;

namespace Apo.Grains.Tests.Training;

/// <summary>
/// Reads TensorBoard event files independently of the writer: the TFRecord framing (length, masked CRC-32C of the
/// length, payload, masked CRC-32C of the payload; both checksums verified) and, in each payload, the fields of the
/// <c>Event</c> proto a scalar uses (step = field 2, summary = field 5 → value = field 1 → tag = 1, simple_value = 2),
/// decoded from the protobuf wire format by hand.
/// </summary>
public static class TensorBoardEvents
{
    public sealed record Scalar(string Tag, long Step, float Value);

    /// <summary>Every scalar of every event file in <paramref name="folder"/>, in file order.</summary>
    public static List<Scalar> ReadScalars(string folder)
    {
        var scalars = new List<Scalar>();
        foreach (string file in Directory.GetFiles(folder, "events.out.tfevents.*").Order())
            foreach (var record in Records(File.ReadAllBytes(file), file))
                scalars.AddRange(ScalarsOf(record));
        return scalars;
    }

    static IEnumerable<byte[]> Records(byte[] bytes, string file)
    {
        int at = 0;
        while (at < bytes.Length)
        {
            var header = bytes.AsSpan(at, 8);
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(header);
            uint lengthCrc = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 8, 4));
            if (Masked(Crc32C(header)) != lengthCrc) throw new InvalidDataException($"{file} at byte {at}: length checksum mismatch");
            var payload = bytes.AsSpan(at + 12, (int)length).ToArray();
            uint payloadCrc = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 12 + (int)length, 4));
            if (Masked(Crc32C(payload)) != payloadCrc) throw new InvalidDataException($"{file} at byte {at}: payload checksum mismatch");
            yield return payload;
            at += 12 + (int)length + 4;
        }
    }

    static IEnumerable<Scalar> ScalarsOf(byte[] evt)
    {
        long step = 0;
        var summaries = new List<byte[]>();
        foreach (var (field, wire, value, bytes) in Fields(evt))
        {
            if (field == 2 && wire == 0) step = (long)value;
            if (field == 5 && wire == 2) summaries.Add(bytes!);
        }
        foreach (var summary in summaries)
            foreach (var (field, wire, _, valueBytes) in Fields(summary))
            {
                if (field != 1 || wire != 2) continue;
                string? tag = null;
                float? simple = null;
                foreach (var (f, w, v, b) in Fields(valueBytes!))
                {
                    if (f == 1 && w == 2) tag = Encoding.UTF8.GetString(b!);
                    if (f == 2 && w == 5) simple = BitConverter.Int32BitsToSingle((int)v);
                }
                if (tag is not null && simple is { } s) yield return new Scalar(tag, step, s);
            }
    }

    /// <summary>The fields of one protobuf message: number, wire type, the varint/fixed value, or the bytes of a length-delimited field.</summary>
    static IEnumerable<(int Field, int Wire, ulong Value, byte[]? Bytes)> Fields(byte[] message)
    {
        int at = 0;
        while (at < message.Length)
        {
            ulong key = Varint(message, ref at);
            int field = (int)(key >> 3), wire = (int)(key & 7);
            switch (wire)
            {
                case 0: yield return (field, wire, Varint(message, ref at), null); break;
                case 1: yield return (field, wire, BinaryPrimitives.ReadUInt64LittleEndian(message.AsSpan(at, 8)), null); at += 8; break;
                case 2:
                    int length = (int)Varint(message, ref at);
                    yield return (field, wire, 0, message.AsSpan(at, length).ToArray());
                    at += length;
                    break;
                case 5: yield return (field, wire, BinaryPrimitives.ReadUInt32LittleEndian(message.AsSpan(at, 4)), null); at += 4; break;
                default: throw new InvalidDataException($"unsupported protobuf wire type {wire}");
            }
        }
    }

    static ulong Varint(byte[] bytes, ref int at)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = bytes[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return value;
        }
    }

    // TFRecord masks its CRC-32C (Castagnoli, reflected polynomial 0x82F63B78).
    static uint Masked(uint crc) => ((crc >> 15) | (crc << 17)) + 0xa282ead8;

    static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78 : crc >> 1;
        }
        return ~crc;
    }
}

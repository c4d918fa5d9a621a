using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Apo.Hosting.Storage;

/// <summary>
/// The on-disk layout of one grain state: magic "APOSTATE", format version, ETag (16 bytes),
/// payload length (int64 LE), SHA-256 of the payload, payload. Length and hash make a truncated or
/// damaged file an explicit error instead of silently wrong state.
/// </summary>
internal static class StateFile
{
    private static ReadOnlySpan<byte> Magic => "APOSTATE"u8;
    private const byte FormatVersion = 1;
    private const int EtagOffset = 9;
    private const int LengthOffset = EtagOffset + 16;
    private const int HashOffset = LengthOffset + 8;
    private const int HeaderLength = HashOffset + 32;

    /// <summary>A decoded state file.</summary>
    internal readonly record struct Content(string ETag, ReadOnlyMemory<byte> Payload);

    /// <summary>Reads and verifies the file; null when it does not exist.</summary>
    public static async Task<Content?> TryReadAsync(string path, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        return Decode(path, bytes);
    }

    private static Content Decode(string path, byte[] bytes)
    {
        if (bytes.Length < HeaderLength || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new InvalidDataException($"{path}: not a grain state file (bad header)");
        if (bytes[Magic.Length] != FormatVersion)
            throw new InvalidDataException($"{path}: unsupported grain state format version {bytes[Magic.Length]}");

        var length = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(LengthOffset, 8));
        if (length != bytes.Length - HeaderLength)
            throw new InvalidDataException(
                $"{path}: grain state is truncated or damaged (header says {length} payload bytes, file has {bytes.Length - HeaderLength})");

        var payload = bytes.AsMemory(HeaderLength);
        if (!SHA256.HashData(payload.Span).AsSpan().SequenceEqual(bytes.AsSpan(HashOffset, 32)))
            throw new InvalidDataException($"{path}: grain state payload does not match its SHA-256 (damaged file)");

        var etag = new Guid(bytes.AsSpan(EtagOffset, 16)).ToString("N");
        return new Content(etag, payload);
    }

    /// <summary>Creates a fresh random ETag in the form stored by <see cref="Encode"/>.</summary>
    public static string NewETag() => Guid.NewGuid().ToString("N");

    /// <summary>Builds the file bytes for a payload and ETag.</summary>
    public static byte[] Encode(string etag, ReadOnlySpan<byte> payload)
    {
        var bytes = new byte[HeaderLength + payload.Length];
        Magic.CopyTo(bytes);
        bytes[Magic.Length] = FormatVersion;
        Guid.ParseExact(etag, "N").TryWriteBytes(bytes.AsSpan(EtagOffset, 16));
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(LengthOffset, 8), payload.Length);
        SHA256.HashData(payload, bytes.AsSpan(HashOffset, 32));
        payload.CopyTo(bytes.AsSpan(HeaderLength));
        return bytes;
    }

    /// <summary>
    /// Replaces <paramref name="path"/> atomically: write a temp file in the same folder, flush it to
    /// disk, rename over the target. A crash leaves either the old file or the new one, plus at worst a
    /// stray temp file that readers ignore.
    /// </summary>
    public static async Task WriteAtomicallyAsync(string path, byte[] bytes, CancellationToken cancellationToken)
    {
        var temp = $"{path}.{Guid.NewGuid():N}{GrainStatePath.TempExtension}";
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None,
                             bufferSize: 1, FileOptions.Asynchronous))
            {
                await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Deletes temp files left next to <paramref name="path"/> by an interrupted write.</summary>
    public static void DeleteStrayTempFiles(string path)
    {
        var folder = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(folder))
            return;
        foreach (var stray in Directory.EnumerateFiles(folder, Path.GetFileName(path) + ".*" + GrainStatePath.TempExtension))
            TryDelete(stray);
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { /* best effort: a leftover temp file is harmless, readers ignore it */ }
        catch (UnauthorizedAccessException) { }
    }
}

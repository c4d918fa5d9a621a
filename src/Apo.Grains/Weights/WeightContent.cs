using System.Security.Cryptography;
using Apo.Abstractions.Weights;

namespace Apo.Grains.Weights;

/// <summary>
/// The content identity of a published weight version: SHA-256 over its safetensors files (name order). The
/// trainer stamps it on the <see cref="WeightVersion"/> it publishes and a generator checks it before loading,
/// so a version overwritten by a stale trainer, a half-written or a tampered cache entry is never loaded.
/// Costs one read of the weights (about a second per GB).
/// </summary>
public static class WeightContent
{
    /// <summary>"sha256:…" of the safetensors files in <paramref name="directory"/>.</summary>
    public static string HashOf(string directory)
    {
        var files = Directory.GetFiles(directory, "*.safetensors").Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0) throw new FileNotFoundException($"{directory}: no safetensors file to hash", directory);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        foreach (string file in files)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(Path.GetFileName(file) + "\n"));
            using var stream = File.OpenRead(file);
            int read;
            while ((read = stream.Read(buffer)) > 0) hash.AppendData(buffer, 0, read);
        }
        return "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>True when the version names no hash or <paramref name="directory"/> holds exactly what it names.</summary>
    public static bool Matches(string directory, WeightVersion version) =>
        version.ContentHash is null || HashOf(directory) == version.ContentHash;

    /// <summary>Throws, naming <paramref name="source"/> and both hashes, unless <paramref name="directory"/> holds the version's content.</summary>
    public static void Require(string directory, WeightVersion version, string source)
    {
        if (version.ContentHash is null) return;
        string actual = HashOf(directory);
        if (actual != version.ContentHash)
            throw new InvalidDataException($"{source}: weight version {version.Version} has content hash {actual}, not {version.ContentHash} " +
                "as the trainer published it (overwritten by another trainer incarnation, or tampered with); refusing to load it");
    }
}

using System.Globalization;
using System.Text.RegularExpressions;
using Apo.Abstractions.Weights;
using Apo.Grains.Weights;
using Apo.Model.Checkpoints;
using Apo.Model.Qwen2;
using Apo.Model.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using static TorchSharp.torch;

namespace Apo.Hosting.Weights;

/// <summary>
/// A weight store in Azure Blob Storage, so silos share weight versions without a shared volume: version v
/// of run r is one safetensors blob <c>{container}/{r}/v{v}.safetensors</c> (the policy's parameters, no
/// tokenizer: every replica already has the reference's). <see cref="WeightVersion.Location"/> is the blob's
/// URI. Publishing writes the file locally, then uploads it; a block blob becomes readable only once its
/// upload commits, so a reader sees either no version or a complete one. After publishing v, versions older
/// than v−1 are deleted (a generator may still be loading v−1). Loading downloads into a local cache
/// (<c>{cache}/{r}/v{v}-{etag}/model.safetensors</c>, staged and renamed), keyed by the blob's ETag so a
/// version republished by a resumed trainer is fetched again. The cache folder is private to this user (0700) and
/// every cached file is checked against the version's content hash before it is loaded. Both methods block: call them on the
/// device executor's thread like every weight store.
/// </summary>
public sealed partial class BlobWeightStore : IWeightStore
{
    /// <summary>The container used when the silo config names none.</summary>
    public const string DefaultContainer = "apo-weights";

    readonly int loadAttempts;
    readonly TimeSpan retryPause;
    readonly Lazy<bool> containerCreated;

    /// <summary>
    /// Creates a store over <paramref name="container"/> (created on first publish) with a local cache in
    /// <paramref name="cacheDirectory"/>. A load that finds no blob tries <paramref name="loadAttempts"/> times,
    /// <paramref name="retryPause"/> apart, before it fails.
    /// </summary>
    public BlobWeightStore(BlobContainerClient container, string cacheDirectory, int loadAttempts = 3, TimeSpan? retryPause = null)
    {
        ArgumentNullException.ThrowIfNull(container);
        if (loadAttempts < 1) throw new ArgumentOutOfRangeException(nameof(loadAttempts), loadAttempts, "must try at least once");
        Container = container;
        CacheDirectory = PrivateDirectory.Ensure(cacheDirectory, "weight cache");
        this.loadAttempts = loadAttempts;
        this.retryPause = retryPause ?? TimeSpan.FromSeconds(1);
        containerCreated = new Lazy<bool>(() => { container.CreateIfNotExists(); return true; });
    }

    /// <summary>The container that holds one folder of blobs per run.</summary>
    public BlobContainerClient Container { get; }

    /// <summary>The local folder downloaded (and published) versions are kept in.</summary>
    public string CacheDirectory { get; }

    /// <summary>The blob name of a version of a run.</summary>
    public static string BlobNameOf(string runId, long version)
    {
        WeightPaths.CheckRunId(runId);
        return $"{runId}/{WeightPaths.VersionFolder(version)}.safetensors";
    }

    /// <inheritdoc />
    public WeightVersion Publish(string runId, long version, Qwen2ForCausalLM policy, TextTokenizer tokenizer, int retain = IWeightStore.DefaultRetain)
    {
        if (version < 0) throw new ArgumentOutOfRangeException(nameof(version), version, "weight versions are ≥ 0");
        var blob = Container.GetBlobClient(BlobNameOf(runId, version));
        _ = containerCreated.Value;

        string runCache = Directory.CreateDirectory(Path.Combine(CacheDirectory, runId)).FullName;
        string hash;
        string staging = Path.Combine(runCache, $".publish-{WeightPaths.VersionFolder(version)}-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(staging);
            string file = Path.Combine(staging, CheckpointReader.SingleFileName);
            SafeTensorsWriter.Write(file,
                policy.ParametersByName().Select(p => KeyValuePair.Create(p.Key, (Tensor)p.Value)),
                metadata: new Dictionary<string, string>
                {
                    ["format"] = "pt",
                    ["apo.run"] = runId,
                    ["apo.version"] = version.ToString(CultureInfo.InvariantCulture),
                });
            hash = WeightContent.HashOf(staging);
            // The upload commits the blob in one step: until then readers get "not found", never a partial file.
            var info = blob.Upload(file, overwrite: true).Value;
            // The trainer's silo may also host generators: the file it just wrote is that version's cache entry.
            Install(staging, CachePath(runId, version, info.ETag));
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }

        DeleteOlderBlobs(runId, keepFrom: version - Math.Max(1, retain - 1));
        PruneCache(runId, keepFrom: version - Math.Max(1, retain - 1));
        return new WeightVersion(version, blob.Uri.AbsoluteUri) { ContentHash = hash };
    }

    /// <inheritdoc />
    public void LoadInto(WeightVersion version, Qwen2ForCausalLM replica)
    {
        var (runId, blob) = Parse(version);
        if (version.ContentHash is null)
            throw new InvalidDataException($"weight version {version.Version} of run \"{runId}\" ({version.Location}) carries no content hash; " +
                "a downloaded version is loaded only once its bytes are checked against the hash the trainer published");
        string directory = Fetch(runId, version.Version, blob);
        if (!WeightContent.Matches(directory, version))
        {
            // A cache entry that is not what the trainer published (tampered, or the blob was overwritten since): fetch again, once.
            Directory.Delete(directory, recursive: true);
            directory = Fetch(runId, version.Version, blob);
            WeightContent.Require(directory, version, $"blob \"{Container.Name}/{blob.Name}\"");
        }
        using (var reader = CheckpointReader.Open(directory))
            replica.LoadWeights(reader, version.Location);
        PruneCache(runId, keepFrom: version.Version - 1);
    }

    /// <summary>Versions of a run currently stored in the container, oldest first.</summary>
    public IReadOnlyList<long> StoredVersions(string runId)
    {
        WeightPaths.CheckRunId(runId);
        return Container.GetBlobs(BlobTraits.None, BlobStates.None, runId + "/", CancellationToken.None)
            .Select(b => VersionOfBlob(runId, b.Name))
            .OfType<long>()
            .Order()
            .ToList();
    }

    /// <summary>The cached copy of a version, downloading it first if needed; retries while the blob is not (yet) there.</summary>
    string Fetch(string runId, long version, BlobClient blob)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                var etag = blob.GetProperties().Value.ETag;
                string cached = CachePath(runId, version, etag);
                if (File.Exists(Path.Combine(cached, CheckpointReader.SingleFileName))) return cached;

                string staging = Path.Combine(Directory.CreateDirectory(Path.Combine(CacheDirectory, runId)).FullName,
                    $".download-{WeightPaths.VersionFolder(version)}-{Guid.NewGuid():N}");
                try
                {
                    Directory.CreateDirectory(staging);
                    // Only the bytes of the version we looked at: a concurrent republish fails this with 412, and we retry.
                    blob.DownloadTo(Path.Combine(staging, CheckpointReader.SingleFileName),
                        new BlobDownloadToOptions { Conditions = new BlobRequestConditions { IfMatch = etag } });
                    Install(staging, cached);
                }
                finally
                {
                    if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
                }
                return cached;
            }
            catch (RequestFailedException e) when (e.Status is 404 or 412)
            {
                if (attempt >= loadAttempts)
                    throw new FileNotFoundException(
                        $"weight version {version} of run \"{runId}\": blob \"{Container.Name}/{blob.Name}\" ({blob.Uri.AbsoluteUri}) " +
                        (e.Status == 404
                            ? $"was not found after {attempt} attempts; it was never published, or was deleted as older than the version before the latest"
                            : $"kept changing while being downloaded ({attempt} attempts)"),
                        blob.Name, e);
                Thread.Sleep(retryPause);
            }
        }
    }

    /// <summary>Moves a staged version folder into the cache; another process that got there first wins (same bytes).</summary>
    static void Install(string staging, string target)
    {
        if (Directory.Exists(target)) return;
        try
        {
            Directory.Move(staging, target);
        }
        catch (IOException) when (Directory.Exists(target))
        {
            // Lost a race with another silo process sharing the cache: its copy is the same blob (same ETag).
        }
    }

    void DeleteOlderBlobs(string runId, long keepFrom)
    {
        foreach (var item in Container.GetBlobs(BlobTraits.None, BlobStates.None, runId + "/", CancellationToken.None))
            if (VersionOfBlob(runId, item.Name) is { } v && v < keepFrom)
                Container.DeleteBlobIfExists(item.Name);
    }

    void PruneCache(string runId, long keepFrom)
    {
        string runCache = Path.Combine(CacheDirectory, runId);
        if (!Directory.Exists(runCache)) return;
        foreach (string folder in Directory.GetDirectories(runCache))
        {
            var m = CacheFolderPattern().Match(Path.GetFileName(folder));
            if (!m.Success || long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) >= keepFrom) continue;
            try { Directory.Delete(folder, recursive: true); }
            catch (DirectoryNotFoundException) { } // another process sharing the cache pruned it first
        }
    }

    string CachePath(string runId, long version, ETag etag)
    {
        string tag = new(etag.ToString().Where(char.IsAsciiLetterOrDigit).ToArray());
        return Path.Combine(CacheDirectory, runId, $"{WeightPaths.VersionFolder(version)}-{tag}");
    }

    static long? VersionOfBlob(string runId, string name)
    {
        var m = BlobNamePattern().Match(name);
        return m.Success && m.Groups[1].Value == runId ? long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>The run id and blob of a location this store handed out (the blob's URI in this container).</summary>
    (string RunId, BlobClient Blob) Parse(WeightVersion version)
    {
        string location = version.Location ?? "";
        string prefix = Container.Uri.AbsoluteUri.TrimEnd('/') + "/";
        string expected = $"{prefix}<run id>/{WeightPaths.VersionFolder(version.Version)}.safetensors";
        if (!location.StartsWith(prefix, StringComparison.Ordinal))
            throw new InvalidDataException($"weight location \"{location}\" is not a blob of this silo's weight container (expected {expected})");
        string name = Uri.UnescapeDataString(location[prefix.Length..]);
        var m = BlobNamePattern().Match(name);
        if (!m.Success || long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) != version.Version)
            throw new InvalidDataException($"weight location \"{location}\" is not the blob of version {version.Version} (expected {expected})");
        return (m.Groups[1].Value, Container.GetBlobClient(name));
    }

    [GeneratedRegex(@"^([^/]+)/v(\d+)\.safetensors$")]
    private static partial Regex BlobNamePattern();

    [GeneratedRegex(@"^v(\d+)-[A-Za-z0-9]*$")]
    private static partial Regex CacheFolderPattern();
}

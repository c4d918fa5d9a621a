using Apo.Abstractions.Weights;
using Apo.Hosting.Weights;
using Apo.Model.Checkpoints;
using Azure.Storage.Blobs;
using static TorchSharp.torch;

namespace Apo.Hosting.Tests.Weights;

/// <summary>The Azure Blob weight store against Azurite. Each test uses its own container and cache folders.</summary>
[Collection(AzureCollection.Name)]
public sealed class BlobWeightStoreTests(AzuriteFixture azurite) : IDisposable
{
    readonly TempDirectory caches = new();
    readonly string containerName = "w" + Guid.NewGuid().ToString("N")[..16];

    public void Dispose() => caches.Dispose();

    /// <summary>A store as one silo sees it: its own local cache, the shared container.</summary>
    BlobWeightStore Silo(string name, int loadAttempts = 3) =>
        new(new BlobContainerClient(azurite.ConnectionString, containerName), Path.Combine(caches.Path, name), loadAttempts, TimeSpan.Zero);

    static void Perturb(Apo.Model.Qwen2.Qwen2ForCausalLM model)
    {
        using var noGrad = no_grad();
        foreach (var p in model.parameters()) p.add_(1.0);
    }

    [Fact]
    public void A_published_version_loads_bit_identical_into_a_fresh_replica_on_another_silo()
    {
        var trainer = Silo("trainer");
        var generator = Silo("generator");
        using var policy = TinyModels.Create(seed: 5);
        using var expected = TinyModels.Create(seed: 5);  // an independent copy of the published weights
        using var replica = TinyModels.Create(seed: 6);
        Assert.False(TinyModels.SameFirstParameter(expected, replica));

        var version = trainer.Publish("run-a", 3, policy, TinyModels.Tokenizer);
        Perturb(policy);  // the blob must hold the weights as published, not the live parameters
        generator.LoadInto(version, replica);

        TinyModels.AssertBitIdentical(expected, replica);
        Assert.Equal(3, version.Version);
        Assert.Equal($"{generator.Container.Uri.AbsoluteUri}/run-a/v3.safetensors", version.Location);
        // One blob, a plain safetensors file any reader understands (the message carried only its URI).
        var blob = generator.Container.GetBlobClient("run-a/v3.safetensors");
        string copy = Path.Combine(caches.Path, "copy.safetensors");
        blob.DownloadTo(copy);
        using (var file = SafeTensorsFile.Open(copy))
            Assert.Equal(expected.ParametersByName().Keys.Order(), file.Entries.Keys.Order());
        // The generator's copy came through its cache; nothing half-written is left there.
        var cached = Directory.GetDirectories(Path.Combine(generator.CacheDirectory, "run-a")).Select(Path.GetFileName).ToArray();
        Assert.Single(cached);
        Assert.StartsWith("v3-", cached[0]);
    }

    [Fact]
    public void A_missing_version_is_a_clear_error_naming_the_blob()
    {
        var trainer = Silo("trainer");
        using var policy = TinyModels.Create(seed: 5);
        var published = trainer.Publish("run-b", 1, policy, TinyModels.Tokenizer);  // creates the container
        var missing = new WeightVersion(9, published.Location.Replace("/v1.safetensors", "/v9.safetensors")) { ContentHash = published.ContentHash };

        using var replica = TinyModels.Create(seed: 6);
        var error = Assert.Throws<FileNotFoundException>(() => Silo("generator", loadAttempts: 2).LoadInto(missing, replica));

        Assert.Contains($"{containerName}/run-b/v9.safetensors", error.Message);
        Assert.Contains("version 9", error.Message);
        Assert.Contains("2 attempts", error.Message);
    }

    [Fact]
    public void A_location_of_another_store_or_version_is_refused()
    {
        var store = Silo("generator");
        using var replica = TinyModels.Create(seed: 6);
        var elsewhere = Assert.Throws<InvalidDataException>(() => store.LoadInto(new WeightVersion(1, "/shared/weights/run/v1"), replica));
        Assert.Contains("/shared/weights/run/v1", elsewhere.Message);
        var wrongVersion = Assert.Throws<InvalidDataException>(() =>
            store.LoadInto(new WeightVersion(2, $"{store.Container.Uri.AbsoluteUri}/run/v1.safetensors"), replica));
        Assert.Contains("version 2", wrongVersion.Message);
    }

    [Fact]
    public void Publishing_keeps_only_the_latest_two_versions()
    {
        var trainer = Silo("trainer");
        using var policy = TinyModels.Create(seed: 5);
        for (long v = 0; v <= 4; v++)
            trainer.Publish("run-c", v, policy, TinyModels.Tokenizer);
        trainer.Publish("run-other", 0, policy, TinyModels.Tokenizer);

        Assert.Equal([3L, 4L], trainer.StoredVersions("run-c"));
        Assert.Equal([0L], trainer.StoredVersions("run-other"));  // other runs are not touched
        // The publisher's cache (its own silo's generators read from it) is pruned the same way.
        Assert.Equal(2, Directory.GetDirectories(Path.Combine(trainer.CacheDirectory, "run-c")).Length);
    }

    [Fact]
    public void A_version_republished_by_a_resumed_trainer_is_fetched_again_not_served_stale_from_the_cache()
    {
        var generator = Silo("generator");
        using var first = TinyModels.Create(seed: 5);
        using var second = TinyModels.Create(seed: 7);
        using var replica = TinyModels.Create(seed: 6);

        var version = Silo("trainer").Publish("run-d", 2, first, TinyModels.Tokenizer);
        generator.LoadInto(version, replica);
        TinyModels.AssertBitIdentical(first, replica);

        // A trainer restarted from a checkpoint publishes version 2 again, with other weights.
        var again = Silo("trainer-restarted").Publish("run-d", 2, second, TinyModels.Tokenizer);
        Assert.Equal(version.Location, again.Location);
        Assert.NotEqual(version.ContentHash, again.ContentHash);
        generator.LoadInto(again, replica);
        TinyModels.AssertBitIdentical(second, replica);

        // The version as first announced no longer exists: a generator told to load it refuses the blob's new bytes.
        var error = Assert.Throws<InvalidDataException>(() => Silo("late-generator").LoadInto(version, replica));
        Assert.Contains("has content hash", error.Message);
        Assert.Contains(version.ContentHash!, error.Message);
    }

    [Fact]
    public void A_tampered_cache_entry_is_fetched_again_and_the_published_weights_load()
    {
        var generator = Silo("generator");
        using var policy = TinyModels.Create(seed: 5);
        using var replica = TinyModels.Create(seed: 6);
        var version = Silo("trainer").Publish("run-e", 1, policy, TinyModels.Tokenizer);
        Assert.StartsWith("sha256:", version.ContentHash);
        generator.LoadInto(version, replica);

        // Someone rewrites the cached file (a shared host, a pre-created folder): the next load notices and downloads again.
        string cached = Directory.GetFiles(Path.Combine(generator.CacheDirectory, "run-e"), "*.safetensors", SearchOption.AllDirectories).Single();
        var bytes = File.ReadAllBytes(cached);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(cached, bytes);
        using var fresh = TinyModels.Create(seed: 8);
        generator.LoadInto(version, fresh);
        TinyModels.AssertBitIdentical(policy, fresh);
    }

    [Fact]
    public void The_cache_is_private_to_this_user_and_a_version_without_a_content_hash_is_never_loaded()
    {
        var generator = Silo("generator-private");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(generator.CacheDirectory));
        using var policy = TinyModels.Create(seed: 5);
        using var replica = TinyModels.Create(seed: 6);
        var version = Silo("trainer-private").Publish("run-h", 1, policy, TinyModels.Tokenizer);
        var error = Assert.Throws<InvalidDataException>(() => generator.LoadInto(version with { ContentHash = null }, replica));
        Assert.StartsWith("weight version 1 of run \"run-h\" (", error.Message);
        Assert.EndsWith("carries no content hash; a downloaded version is loaded only once its bytes are checked against the hash the trainer published", error.Message);
    }
}

using Apo.Grains.Weights;
using Apo.Hosting.Azure;
using Apo.Hosting.Configuration;
using Apo.Hosting.Weights;

namespace Apo.Hosting.Tests.Weights;

/// <summary>The silo config's Weights section and the store it selects.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class WeightsConfigurationTests : IDisposable
{
    readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    string WithReplaced(string file, string original, string replacement)
    {
        var text = File.ReadAllText(RepoFiles.SiloConfig(file));
        Assert.Contains(original, text);
        var path = Path.Combine(dir.Path, file);
        File.WriteAllText(path, text.Replace(original, replacement));
        return path;
    }

    static void WithEnvironment(string name, string? value, Action action)
    {
        var before = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, value);
        try { action(); }
        finally { Environment.SetEnvironmentVariable(name, before); }
    }

    [Theory]
    [InlineData("cluster-trainer.json")]
    [InlineData("cluster-generator.json")]
    public void Cluster_silos_share_weights_through_azure_blob(string file)
    {
        var options = ApoSiloConfiguration.Load(RepoFiles.SiloConfig(file));
        Assert.Equal(ApoKinds.AzureBlob, options.Weights.Kind);
        Assert.Equal(BlobWeightStore.DefaultContainer, options.Weights.Container);
        Assert.False(options.Kubernetes);  // the k8s manifests turn it on; the files also run outside Kubernetes
    }

    [Fact]
    public void Azure_blob_selects_the_blob_store_with_the_connection_from_the_environment() =>
        WithEnvironment(ApoStorageConnection.EnvironmentVariable, "UseDevelopmentStorage=true", () =>
        {
            var options = ApoSiloConfiguration.Load(RepoFiles.SiloConfig("cluster-generator.json"));
            options.Weights.CacheDirectory = Path.Combine(dir.Path, "cache");
            var store = Assert.IsType<BlobWeightStore>(ApoWeightStores.Select(options)(null!));
            Assert.Equal("apo-weights", store.Container.Name);
            Assert.Equal(Path.Combine(dir.Path, "cache"), store.CacheDirectory);
        });

    [Fact]
    public void Azure_blob_without_the_connection_string_fails_before_the_silo_starts() =>
        WithEnvironment(ApoStorageConnection.EnvironmentVariable, null, () =>
        {
            var options = ApoSiloConfiguration.Load(RepoFiles.SiloConfig("cluster-trainer.json"));
            var error = Assert.Throws<InvalidDataException>(() => ApoWeightStores.Select(options));
            Assert.Contains(ApoStorageConnection.EnvironmentVariable, error.Message);
            Assert.Contains("Silo:Weights:Kind", error.Message);
            Assert.Contains("\"azureblob\"", error.Message);
        });

    [Fact]
    public void The_weights_option_of_apo_silo_overrides_the_config_with_a_shared_directory() =>
        WithEnvironment(ApoStorageConnection.EnvironmentVariable, null, () =>
        {
            var options = ApoSiloConfiguration.Load(RepoFiles.SiloConfig("cluster-trainer.json"));
            var store = Assert.IsType<DirectoryWeightStore>(ApoWeightStores.Select(options, Path.Combine(dir.Path, "w"))(null!));
            Assert.Equal(Path.Combine(dir.Path, "w"), store.Root);
        });

    [Fact]
    public void The_embedded_default_keeps_versions_in_process()
    {
        var options = ApoSiloConfiguration.Load(RepoFiles.SiloConfig("embedded.json"));
        Assert.Equal(ApoKinds.InProcess, options.Weights.Kind);
        using var store = Assert.IsType<InProcessWeightStore>(ApoWeightStores.Select(options)(null!));
    }

    [Theory]
    [InlineData("\"Kind\": \"azureblob\"", "\"Kind\": \"s3\"", "Silo:Weights:Kind", "unknown")]
    [InlineData("\"Container\": \"apo-weights\"", "\"Container\": \"Apo_Weights\"", "Silo:Weights:Container", "container name")]
    [InlineData("\"Kind\": \"azureblob\", \"Container\": \"apo-weights\"", "\"Kind\": \"directory\"", "Silo:Weights:Directory", "must name a folder")]
    [InlineData("\"Kubernetes\": false", "\"Kubernetes\": \"maybe\"", "Silo:Kubernetes", "")]
    public void Bad_weight_and_kubernetes_values_name_the_file_and_the_field(string original, string replacement, string field, string why)
    {
        var path = WithReplaced("cluster-trainer.json", original, replacement);
        var error = Assert.Throws<InvalidDataException>(() => ApoSiloConfiguration.Load(path));
        Assert.StartsWith(path, error.Message);
        Assert.Contains(field, error.Message);
        Assert.Contains(why, error.Message);
    }
}

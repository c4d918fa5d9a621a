using Apo.Hosting.Azure;
using Apo.Hosting.Configuration;
using Orleans.Hosting;

namespace Apo.Hosting.Tests;

/// <summary>The cluster configuration files and the rules around the connection string and addresses.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class ClusterConfigurationTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static void WithEnvironment(string name, string? value, Action action)
    {
        var before = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, value);
        try { action(); }
        finally { Environment.SetEnvironmentVariable(name, before); }
    }

    private string WithReplaced(string file, string original, string replacement)
    {
        var text = File.ReadAllText(RepoFiles.SiloConfig(file));
        Assert.Contains(original, text);
        var path = Path.Combine(_dir.Path, file);
        File.WriteAllText(path, text.Replace(original, replacement));
        return path;
    }

    [Theory]
    [InlineData("cluster-trainer.json", "trainer")]
    [InlineData("cluster-generator.json", "generator")]
    public void Cluster_silo_files_use_azure_for_everything_and_one_cluster(string file, string role)
    {
        var options = ApoSiloConfiguration.Load(RepoFiles.SiloConfig(file));
        Assert.Equal(role, options.Role);
        Assert.Equal(ApoKinds.Azure, options.Clustering.Kind);
        Assert.Equal(ApoKinds.Azure, options.Storage.Kind);
        Assert.Equal(ApoKinds.Blob, options.Storage.LargeStateKind);
        Assert.Equal(ApoKinds.AzureQueue, options.Streams.Kind);
        Assert.Equal("", options.AdvertisedIP);  // POD_IP decides in Kubernetes

        var client = ApoClientConfiguration.Load(RepoFiles.SiloConfig("cluster-client.json"));
        Assert.Equal((options.ServiceId, options.ClusterId), (client.ServiceId, client.ClusterId));
        Assert.Equal(ApoKinds.Azure, client.Clustering.Kind);
        Assert.Equal((options.Streams.Kind, options.Streams.QueueCount), (client.Streams.Kind, client.Streams.QueueCount));
    }

    [Theory]
    [InlineData(ApoKinds.Azure, ApoKinds.Memory, ApoKinds.Memory, "Silo:Clustering:Kind")]
    [InlineData(ApoKinds.Localhost, ApoKinds.Azure, ApoKinds.Memory, "Silo:Storage:Kind")]
    [InlineData(ApoKinds.Localhost, ApoKinds.Memory, ApoKinds.AzureQueue, "Silo:Streams:Kind")]
    public void A_missing_connection_string_is_an_error_naming_the_variable(string clustering, string storage, string streams, string field) =>
        WithEnvironment(ApoStorageConnection.EnvironmentVariable, null, () =>
        {
            var options = new ApoSiloOptions
            {
                Source = "cluster.json",
                RunsRoot = "/runs",
                Clustering = { Kind = clustering },
                Storage = { Kind = storage },
                Streams = { Kind = streams },
            };
            var error = Assert.Throws<InvalidDataException>(() => ApoHost.CreateSilo(options));
            Assert.StartsWith("cluster.json", error.Message);
            Assert.Contains(ApoStorageConnection.EnvironmentVariable, error.Message);
            Assert.Contains(field, error.Message);
        });

    [Fact]
    public void A_client_without_the_connection_string_fails_the_same_way() =>
        WithEnvironment(ApoStorageConnection.EnvironmentVariable, null, () =>
        {
            var options = ApoClientConfiguration.Load(RepoFiles.SiloConfig("cluster-client.json"));
            var error = Assert.Throws<InvalidDataException>(() => ApoHost.CreateClient(options));
            Assert.Contains(ApoStorageConnection.EnvironmentVariable, error.Message);
            Assert.Contains("Client:Clustering:Kind", error.Message);
        });

    [Theory]
    [InlineData("cluster-trainer.json", "\"AdvertisedIP\": \"\"", "\"AdvertisedIP\": \"pod-1\"", "Silo:AdvertisedIP", "IP address")]
    [InlineData("cluster-trainer.json", "\"LargeStateKind\": \"blob\"", "\"LargeStateKind\": \"disk\"", "Silo:Storage:LargeStateKind", "unknown")]
    [InlineData("cluster-trainer.json", "\"LargeStateThresholdBytes\": 262144", "\"LargeStateThresholdBytes\": 2000000", "Silo:Storage:LargeStateThresholdBytes", "1 MiB")]
    [InlineData("cluster-trainer.json", "\"QueueCount\": 4", "\"QueueCount\": 0", "Silo:Streams:QueueCount", "1..64")]
    [InlineData("cluster-trainer.json", "\"RunsRoot\": \"/runs\"", "\"RunsRoot\": \"\"", "Silo:RunsRoot", "must name the folder that holds every run directory")]
    [InlineData("cluster-generator.json", "\"RunsRoot\": \"/runs\"", "\"RunsRoot\": \"runs\"", "Silo:RunsRoot", "must be an absolute path")]
    [InlineData("cluster-trainer.json", "\"Tls\": { \"Enabled\": true, \"Directory\": \"/etc/apo-tls\" }", "\"Tls\": { \"Enabled\": true, \"Directory\": \"\" }", "Silo:Tls:Directory", "must name the folder of tls.crt, tls.key and ca.crt")]
    [InlineData("cluster-client.json", "\"Tls\": { \"Enabled\": true, \"Directory\": \"/etc/apo-tls\" }", "\"Tls\": { \"Enabled\": true, \"Directory\": \"\" }", "Client:Tls:Directory", "must name the folder")]
    [InlineData("cluster-client.json", "\"ClusterId\": \"apo-cluster\"", "\"ClusterId\": \"\"", "Client:ClusterId", "empty")]
    [InlineData("cluster-client.json", "\"Kind\": \"azurequeue\"", "\"Kind\": \"kafka\"", "Client:Streams:Kind", "unknown")]
    [InlineData("cluster-client.json", "\"Kind\": \"azure\"", "\"Kind\": \"azure\", \"Table\": \"x\"", "Table", "")]
    public void Bad_cluster_values_name_the_file_and_the_field(string file, string original, string replacement, string field, string why)
    {
        var path = WithReplaced(file, original, replacement);
        var error = Assert.Throws<InvalidDataException>(() =>
        {
            if (file == "cluster-client.json") ApoClientConfiguration.Load(path);
            else ApoSiloConfiguration.Load(path);
        });
        Assert.StartsWith(path, error.Message);
        Assert.Contains(field, error.Message);
        Assert.Contains(why, error.Message);
    }

    [Fact]
    public void The_advertised_address_comes_from_config_then_POD_IP() =>
        WithEnvironment(SiloEndpoint.PodIpVariable, "10.1.2.3", () =>
        {
            Assert.Equal("10.9.9.9", SiloEndpoint.Advertised("10.9.9.9", "f")!.ToString());
            Assert.Equal("10.1.2.3", SiloEndpoint.Advertised("", "f")!.ToString());
            // The resolved address is the one the silo listens on: the pod IP, never 0.0.0.0.
            Assert.Equal("10.1.2.3", SiloEndpoint.Resolve("", "f").ToString());
            Assert.Equal("127.0.0.1", SiloEndpoint.Resolve("127.0.0.1", "f").ToString());
            WithEnvironment(SiloEndpoint.PodIpVariable, null, () => Assert.Null(SiloEndpoint.Advertised("", "f")));
            WithEnvironment(SiloEndpoint.PodIpVariable, "not-an-ip", () =>
                Assert.Contains("POD_IP", Assert.Throws<InvalidDataException>(() => SiloEndpoint.Advertised("", "f")).Message));
        });

    [Theory]
    [InlineData("apo", "apo-cluster", "apo-apo-cluster-streams-0")]
    [InlineData("My_Service", "Prod.EU--1", "my-service-prod-eu-1-streams-0")]
    public void Queue_names_are_valid_azure_names(string serviceId, string clusterId, string first)
    {
        var names = ApoStreamQueues.Names(serviceId, clusterId, 3);
        Assert.Equal(first, names[0]);
        Assert.Equal(3, names.Distinct().Count());
        var longNames = ApoStreamQueues.Names(new string('s', 80), new string('c', 80), 12);
        Assert.Equal(12, longNames.Distinct().Count());
        Assert.All(names.Concat(longNames), n => Assert.Matches("^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$", n));
    }
}

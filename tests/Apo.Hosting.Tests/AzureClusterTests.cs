using System.Net;
using System.Net.Sockets;
using Apo.Abstractions.Placement;
using Apo.Hosting.Configuration;
using Apo.Hosting.Storage;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Apo.Hosting.Tests;

/// <summary>Silos and clients built from silo-config/cluster-*.json, against Azurite.</summary>
[Collection(AzureCollection.Name)]
public sealed partial class AzureClusterTests(AzuriteFixture azurite) : IAsyncLifetime
{
    // A fresh cluster and service per test, so tests never see each other's members, rows or queues.
    private readonly string _clusterId = "c" + Guid.NewGuid().ToString("N")[..10];
    private readonly string _serviceId = "s" + Guid.NewGuid().ToString("N")[..10];
    private readonly List<IHost> _hosts = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts))
        {
            try { await host.StopAsync(TimeSpan.FromSeconds(10)); }
            finally { host.Dispose(); }
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private ApoSiloOptions Silo(string file)
    {
        var options = ApoSiloConfiguration.Load(RepoFiles.SiloConfig(file));
        options.ServiceId = _serviceId;
        options.ClusterId = _clusterId;
        options.AdvertisedIP = "127.0.0.1";
        options.SiloPort = FreeLoopbackPort();
        options.GatewayPort = FreeLoopbackPort();
        options.Health.Port = FreeLoopbackPort();
        // The cluster configs turn mutual TLS on; these silos and clients share the test CA.
        options.Tls.Directory = TestCertificates.Trusted;
        return options;
    }

    /// <summary>These silos share the test host's process: a fatal error of one must not end it (<see cref="StopOnlyTheSilo"/>).</summary>
    private static IServiceCollection InTestHost(IServiceCollection services) =>
        services.AddSingleton<IFatalErrorHandler, StopOnlyTheSilo>();

    private async Task<IHost> StartSilo(ApoSiloOptions options, Action<IServiceCollection>? services = null)
    {
        var host = ApoHost.CreateSilo(options, collection =>
        {
            InTestHost(collection);
            services?.Invoke(collection);
        });
        _hosts.Add(host);
        await host.StartAsync();
        return host;
    }

    private Task<IClusterClient> StartClient() => StartClient(Client());

    private ApoClientOptions Client()
    {
        var options = ApoClientConfiguration.Load(RepoFiles.SiloConfig("cluster-client.json"));
        options.ServiceId = _serviceId;
        options.ClusterId = _clusterId;
        options.Tls.Directory = TestCertificates.Trusted;
        return options;
    }

    private async Task<IClusterClient> StartClient(ApoClientOptions options)
    {
        var host = ApoHost.CreateClient(options);
        _hosts.Add(host);
        await host.StartAsync();
        return host.Services.GetRequiredService<IClusterClient>();
    }

    private static async Task Eventually(Func<Task<bool>> condition, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{what} within {seconds} s");
            await Task.Delay(100);
        }
    }

    private static SiloAddress AddressOf(IHost silo) => silo.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;

    [Fact]
    public async Task A_trainer_and_a_generator_silo_join_one_cluster_through_the_membership_table()
    {
        var trainer = await StartSilo(Silo("cluster-trainer.json"));
        var generator = await StartSilo(Silo("cluster-generator.json"));
        // The client knows no address: it finds the gateways in the Azure membership table.
        var client = await StartClient();

        var management = client.GetGrain<IManagementGrain>(0);
        await Eventually(async () => (await management.GetHosts(onlyActive: true)).Count == 2, "both silos active");
        var hosts = await management.GetHosts(onlyActive: true);
        Assert.Contains(AddressOf(trainer), hosts.Keys);
        Assert.Contains(AddressOf(generator), hosts.Keys);
        Assert.All(hosts.Keys, silo => Assert.Equal(IPAddress.Loopback, silo.Endpoint.Address));

        // Each silo learns the other's role; generators then land only on the generator silo.
        await Eventually(() => Task.FromResult(new[] { trainer, generator }.All(observer =>
        {
            var cache = observer.Services.GetRequiredService<ISiloMetadataCache>();
            return new[] { trainer, generator }.All(s => cache.GetSiloMetadata(AddressOf(s)).Metadata.ContainsKey(SiloRoles.MetadataKey));
        })), "role metadata propagated");
        var places = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => client.GetGrain<IGeneratorProbeGrain>(i).Where()));
        Assert.All(places, p => Assert.Equal(AddressOf(generator), p));
    }

    [Fact]
    public async Task Rollouts_of_16k_tokens_travel_whole_from_a_generator_silo_to_the_trainer_silo()
    {
        // Rollouts come back in the generator call's response, never through an Azure queue (64 KB a message):
        // 4 rollouts of 16,384 response tokens (about 0.5 MB) cross between the two silos of a cluster on Azurite.
        var trainer = await StartSilo(Silo("cluster-trainer.json"));
        var generator = await StartSilo(Silo("cluster-generator.json"));
        var client = await StartClient();
        await Eventually(() => Task.FromResult(new[] { trainer, generator }.All(observer =>
        {
            var cache = observer.Services.GetRequiredService<ISiloMetadataCache>();
            return new[] { trainer, generator }.All(s => cache.GetSiloMetadata(AddressOf(s)).Metadata.ContainsKey(SiloRoles.MetadataKey));
        })), "role metadata propagated");

        var (tokens, wrong, from) = await client.GetGrain<IRolloutRelayGrain>(0).Fetch(rollouts: 4, tokens: 16_384);

        Assert.Equal(AddressOf(trainer), from);
        Assert.Equal(4L * 16_384, tokens);
        Assert.Equal(0, wrong);
    }

    [Fact]
    public async Task Grain_state_in_azure_storage_survives_a_silo_restart_and_large_states_go_to_blob()
    {
        var options = Silo("cluster-trainer.json");
        var bigNote = new string('x', 1_200_000);  // over a table entity's 1 MiB: only Blob can hold it

        var first = await StartSilo(options);
        var grains = first.Services.GetRequiredService<IGrainFactory>();
        Assert.Equal(3, await grains.GetGrain<ICounterGrain>("small").Add(3, "a"));
        Assert.Equal(7, await grains.GetGrain<ICounterGrain>("small").Add(4, "b"));
        // Starts in the table, then outgrows it: the write that crosses the threshold moves it to Blob.
        Assert.Equal(1, await grains.GetGrain<ICounterGrain>("big").Add(1, "small at first"));
        Assert.Equal(2, await grains.GetGrain<ICounterGrain>("big").Add(1, bigNote));
        await first.StopAsync();

        var rows = new TableServiceClient(azurite.ConnectionString).GetTableClient("OrleansGrainState")
            .QueryAsync<TableEntity>(e => true);
        var keys = new List<string>();
        await foreach (var row in rows)
            if (row.PartitionKey.StartsWith(_serviceId, StringComparison.Ordinal))
                keys.Add(row.PartitionKey + " " + row.RowKey);
        Assert.Single(keys);  // "small" only: the moved state's row was deleted
        Assert.Contains("small", keys[0]);

        var blobs = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient($"{_serviceId}-grain-state");
        var stored = new List<string>();
        await foreach (var blob in blobs.GetBlobsAsync())
            stored.Add(blob.Name);
        Assert.Single(stored);  // only the big state left the table
        Assert.Contains("big", stored[0]);

        options.SiloPort = FreeLoopbackPort();
        options.GatewayPort = FreeLoopbackPort();
        var second = await StartSilo(options);
        grains = second.Services.GetRequiredService<IGrainFactory>();
        var small = await grains.GetGrain<ICounterGrain>("small").Get();
        Assert.Equal(7, small.Value);
        Assert.Equal(["a", "b"], small.History);
        var big = await grains.GetGrain<ICounterGrain>("big").Get();
        Assert.Equal(2, big.Value);
        Assert.Equal(["small at first", bigNote], big.History);

        await grains.GetGrain<ICounterGrain>("big").Clear();
        await foreach (var blob in blobs.GetBlobsAsync())
            Assert.Fail($"blob {blob.Name} should have been deleted by ClearStateAsync");
    }

    [Fact]
    public async Task An_azure_queue_stream_delivers_every_item_to_a_subscriber()
    {
        await StartSilo(Silo("cluster-trainer.json"));
        var client = await StartClient();
        var consumer = client.GetGrain<IStreamSumGrain>("q1");
        await consumer.Subscribe();

        const int n = 100;
        var stream = client.GetStreamProvider(ApoStorage.StreamProviderName).GetStream<int>(StreamId.Create("numbers", "q1"));
        for (var i = 1; i <= n; i++)
            await stream.OnNextAsync(i);

        await Eventually(async () => await consumer.Count() >= n, $"{n} items delivered");
        await Task.Delay(500);  // give duplicates a chance to show up
        Assert.Equal(n, await consumer.Count());
        Assert.Equal(n * (n + 1) / 2, await consumer.Sum());  // 1 + 2 + ... + n, each exactly once
    }
}

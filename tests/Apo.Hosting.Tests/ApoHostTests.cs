using System.Net;
using System.Net.Sockets;
using Apo.Hosting.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace Apo.Hosting.Tests;

[Collection(EnvironmentCollection.Name)]
public sealed partial class ApoHostTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private ApoSiloOptions Options()
    {
        var options = ApoSiloConfiguration.Load(RepoFiles.SiloConfig("embedded.json"), runDirectory: _dir.Path);
        options.SiloPort = FreeLoopbackPort();
        options.GatewayPort = FreeLoopbackPort();
        return options;
    }

    [Fact]
    public async Task Embedded_host_starts_on_loopback_serves_grains_and_resumes_state_after_restart()
    {
        var options = Options();

        using (var host = ApoHost.CreateEmbedded(options))
        {
            await host.StartAsync();
            var endpoints = host.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;
            Assert.Equal(IPAddress.Loopback, endpoints.SiloListeningEndpoint!.Address);
            Assert.Equal(IPAddress.Loopback, endpoints.GatewayListeningEndpoint!.Address);
            Assert.Same(options, host.Services.GetRequiredService<ApoSiloOptions>());

            var grain = host.Services.GetRequiredService<IGrainFactory>().GetGrain<ICounterGrain>("run/1");
            Assert.Equal(4, await grain.Add(4, "step"));
            await host.StopAsync();
        }

        Assert.Single(Directory.GetFiles(Path.Combine(options.Storage.Directory, "grains"), "*", SearchOption.AllDirectories));

        using (var host = ApoHost.CreateEmbedded(options))
        {
            await host.StartAsync();
            var grain = host.Services.GetRequiredService<IGrainFactory>().GetGrain<ICounterGrain>("run/1");
            Assert.Equal(4, (await grain.Get()).Value);
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Memory_streams_deliver_to_an_explicit_subscriber()
    {
        using var host = ApoHost.CreateEmbedded(Options());
        await host.StartAsync();
        var consumer = host.Services.GetRequiredService<IGrainFactory>().GetGrain<IStreamSumGrain>("s1");
        await consumer.Subscribe();

        var stream = host.Services.GetRequiredService<IClusterClient>().GetStreamProvider(ApoStorage.StreamProviderName)
            .GetStream<int>(StreamId.Create("numbers", "s1"));
        for (var i = 1; i <= 10; i++)
            await stream.OnNextAsync(i);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await consumer.Sum() != 55 && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.Equal(55, await consumer.Sum());  // 1 + 2 + ... + 10
        await host.StopAsync();
    }

    [Fact]
    public async Task Extra_services_reach_the_silo()
    {
        var marker = new object();
        var options = Options();
        options.Storage.Kind = ApoKinds.Memory;
        using var host = ApoHost.CreateEmbedded(options, services => services.AddKeyedSingleton("marker", marker));
        Assert.Same(marker, host.Services.GetRequiredKeyedService<object>("marker"));
    }

    [Fact]
    public void Invalid_options_are_rejected_before_anything_starts()
    {
        var options = Options();
        options.Streams.Kind = "azure";
        var error = Assert.Throws<InvalidDataException>(() => ApoHost.CreateEmbedded(options));
        Assert.Contains("Silo:Streams:Kind", error.Message);
    }
}

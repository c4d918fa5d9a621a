using Apo.Hosting;
using Apo.Hosting.Configuration;
using Apo.Model.Devices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Apo.Cli.Runs;

/// <summary>
/// A run whose grains live on a running cluster: this process is only an Orleans client
/// (gateways from the client config; the Azure connection string from APO_STORAGE_CONNECTION).
/// Stage 1 and stage 2 run on the silos' own tensor runtimes; the client keeps one device thread
/// of its own for the local evaluation.
/// </summary>
public sealed class ClusterSession : IRunSession
{
    readonly IHost host;

    public IGrainFactory Grains { get; }
    public DeviceExecutor Executor { get; }

    ClusterSession(IHost host, DeviceExecutor executor)
    {
        this.host = host;
        Executor = executor;
        Grains = host.Services.GetRequiredService<IClusterClient>();
    }

    /// <param name="torchThreads">Threads of the client's own evaluation; 0 = all cores.</param>
    public static async Task<ClusterSession> ConnectAsync(string clientConfigPath, int torchThreads)
    {
        var options = ApoClientConfiguration.Load(clientConfigPath);
        var host = ApoHost.CreateClient(options);
        try
        {
            await host.StartAsync();
        }
        catch (Exception e) when (e is not InvalidDataException)
        {
            host.Dispose();
            throw new InvalidOperationException(
                $"{clientConfigPath}: could not connect to cluster \"{options.ClusterId}\" (service \"{options.ServiceId}\"): {e.Message}. " +
                "Are its silos running (apo silo) and do they share this ServiceId, ClusterId and storage?", e);
        }
        var executor = new DeviceExecutor("cpu");
        if (torchThreads > 0) await executor.Run(() => TorchSharp.torch.set_num_threads(torchThreads));
        return new ClusterSession(host, executor);
    }

    public async ValueTask DisposeAsync()
    {
        Executor.Dispose();
        await host.StopAsync();
        host.Dispose();
    }
}

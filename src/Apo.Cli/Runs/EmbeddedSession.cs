using System.Net;
using System.Net.Sockets;
using Apo.Grains;
using Apo.Grains.Runtime;
using Apo.Hosting;
using Apo.Hosting.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Apo.Cli.Runs;

/// <summary>
/// The one-process Orleans silo of an embedded run: localhost clustering on free loopback ports
/// (the silo is private to this process, so two runs on one machine never collide), durable file
/// grain storage under the run directory, memory streams, and the silo's tensor runtime.
/// </summary>
public sealed class EmbeddedSession : IRunSession
{
    readonly IHost host;

    public IGrainFactory Grains { get; }
    public TensorRuntime Runtime { get; }

    /// <inheritdoc />
    public Apo.Model.Devices.DeviceExecutor Executor => Runtime.Training.Executor;
    public ApoSiloOptions Options { get; }

    EmbeddedSession(IHost host, ApoSiloOptions options)
    {
        this.host = host;
        Options = options;
        Grains = host.Services.GetRequiredService<IGrainFactory>();
        Runtime = host.Services.GetRequiredService<TensorRuntime>();
    }

    /// <param name="torchThreads">Overrides the silo config's torch threads when positive.</param>
    /// <param name="generationBatchSize">Overrides the silo config's generation batch size when positive.</param>
    /// <param name="asynchronous">The run's stage 2 overlaps sampling and training: give generation a tensor lane of its own.</param>
    public static async Task<EmbeddedSession> StartAsync(string siloConfigPath, RunLayout layout, int torchThreads = 0, int generationBatchSize = 0,
        bool asynchronous = false)
    {
        var options = ApoSiloConfiguration.Load(siloConfigPath, layout.Root);
        if (asynchronous) options.TensorLanes = 2;
        if (torchThreads > 0) options.TorchThreads = torchThreads;
        if (generationBatchSize > 0) options.GenerationBatchSize = generationBatchSize;
        options.SiloPort = FreeLoopbackPort();
        options.GatewayPort = FreeLoopbackPort();
        var host = ApoHost.CreateEmbedded(options, services =>
        {
            services.AddApoGrainServices(options.Device, options.TorchThreads, generationBatchSize: options.GenerationBatchSize, computeDtype: options.ComputeDtype,
                generationKvTokens: options.GenerationKvTokens, tensorLanes: options.TensorLanes);
            // The run reports a failed phase by its message; the stack trace behind it goes to stderr.
            services.AddLogging(logging => logging
                .AddSimpleConsole(o => { o.SingleLine = false; o.TimestampFormat = "HH:mm:ss "; })
                .SetMinimumLevel(LogLevel.Error)
                .AddFilter("Orleans", LogLevel.Critical)
                .AddFilter("Microsoft", LogLevel.Critical));
        });
        await host.StartAsync();
        return new EmbeddedSession(host, options);
    }

    internal static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
    }
}

using System.CommandLine;
using Apo.Grains;
using Apo.Hosting;
using Apo.Hosting.Configuration;
using Apo.Hosting.Weights;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Apo.Cli.Commands;

/// <summary>
/// `apo silo`: runs one silo of a cluster (its role, clustering, storage and streams come from the config
/// file) with the grain services, logging to the console, until Ctrl-C or SIGTERM.
/// </summary>
static class SiloCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo>("--config") { Description = "Silo configuration file, e.g. silo-config/cluster-generator.json.", Required = true };
        var siloPort = new Option<int?>("--silo-port") { Description = "Silo-to-silo port (overrides the config's SiloPort)." };
        var gatewayPort = new Option<int?>("--gateway-port") { Description = "Client gateway port (overrides the config's GatewayPort)." };
        var weights = new Option<DirectoryInfo?>("--weights")
        {
            Description = "Weight-store directory shared by every silo of the cluster (overrides the config's Weights section, e.g. Azure Blob).",
        };
        var command = new Command("silo", "Run one silo of a cluster (role and providers from --config) until Ctrl-C or SIGTERM.")
        {
            config, siloPort, gatewayPort, weights,
        };
        command.SetAction(async (parse, cancel) =>
        {
            var options = ApoSiloConfiguration.Load(parse.GetValue(config)!.FullName);
            if (parse.GetValue(siloPort) is { } s) options.SiloPort = s;
            if (parse.GetValue(gatewayPort) is { } g) options.GatewayPort = g;
            var weightDirectory = parse.GetValue(weights)?.FullName;
            // Chosen before the host is built, so a missing connection string fails the start, not the first run.
            var weightStore = ApoWeightStores.Select(options, weightDirectory);

            using var host = ApoHost.CreateSilo(options, services =>
            {
                services.AddApoGrainServices(options.Device, options.TorchThreads, weightStore, options.GenerationBatchSize, options.ComputeDtype, options.GenerationKvTokens,
                    options.TensorLanes);
                services.Configure<Apo.Grains.Generation.GeneratorOptions>(o => o.Simulation = options.Simulation);
                // Orleans is chatty at Information; its warnings and our own lines are what an operator needs.
                services.AddLogging(logging => logging
                    .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
                    .SetMinimumLevel(LogLevel.Information)
                    .AddFilter("Orleans", LogLevel.Warning)
                    .AddFilter("Polly", LogLevel.Warning) // Orleans' placement retries log every attempt at Information
                    .AddFilter("Microsoft", LogLevel.Warning));
            });
            await host.StartAsync(cancel);
            Console.WriteLine($"apo silo: role {options.Role}, service {options.ServiceId}, cluster {options.ClusterId}, " +
                $"clustering {options.Clustering.Kind}, storage {options.Storage.Kind}, streams {options.Streams.Kind}, " +
                $"weights {ApoWeightStores.Describe(options, weightDirectory)}, kubernetes {(options.Kubernetes ? "on" : "off")}, " +
                $"silo port {options.SiloPort}, gateway port {options.GatewayPort}, device {options.Device}{(options.Simulation.Enabled ? $", SIMULATED generation at {options.Simulation.TokensPerSecond} tokens/s" : "")}; Ctrl-C or SIGTERM stops it");
            // The host's console lifetime turns SIGTERM/SIGINT into ApplicationStopping; the command line's own
            // cancellation does the same for Ctrl-C. Either way the silo leaves the cluster gracefully.
            using (host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(
                       () => Console.WriteLine("apo silo: stopping (leaving the cluster)")))
                await host.WaitForShutdownAsync(cancel);
            Console.WriteLine("apo silo: stopped");
            return 0;
        });
        return command;
    }
}

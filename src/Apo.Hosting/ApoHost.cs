using Apo.Hosting.Azure;
using Apo.Hosting.Configuration;
using Apo.Hosting.Health;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Apo.Hosting;

/// <summary>Builds the hosts of Apo silos and clients.</summary>
public static class ApoHost
{
    /// <summary>
    /// Creates (does not start) a host running one silo configured by <paramref name="options"/>.
    /// Grains are reached through the host's <c>IGrainFactory</c> / <c>IClusterClient</c>.
    /// <paramref name="services"/> adds the caller's services (grain dependencies, logging).
    /// </summary>
    public static IHost CreateEmbedded(ApoSiloOptions options, Action<IServiceCollection>? services = null) =>
        CreateSilo(options, services);

    /// <summary>
    /// Creates (does not start) a host running one silo of any kind (embedded or cluster member).
    /// Configuration errors, including a missing <c>APO_STORAGE_CONNECTION</c>, surface here.
    /// </summary>
    public static IHost CreateSilo(ApoSiloOptions options, Action<IServiceCollection>? services = null)
    {
        ApoSiloConfiguration.Validate(options);
        // Empty builder: no appsettings.json, no environment or command-line sources sneaking into the
        // silo; the silo-config file is the single source of settings.
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        // Set in code from the silo config: the empty builder reads no DOTNET_ variables, and the default (30 s)
        // is too short to pause a trainer and deactivate its grains.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(options.ShutdownTimeoutSeconds));
        // Before UseOrleans: the health endpoint starts first and answers while the silo joins.
        builder.Services.AddApoSiloHealth(options, SiloEndpoint.ListenAddress(options));
        builder.Services.AddApoSiloTelemetry(options);
        builder.UseOrleans(silo => silo.ConfigureApoSilo(options));
        services?.Invoke(builder.Services);
        return builder.Build();
    }

    /// <summary>
    /// Creates (does not start) a host holding an Orleans client of the cluster described by
    /// <paramref name="options"/>; resolve <c>IClusterClient</c> from its services after starting it.
    /// </summary>
    public static IHost CreateClient(ApoClientOptions options, Action<IServiceCollection>? services = null)
    {
        ApoClientConfiguration.Validate(options);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.UseOrleansClient(client => client.ConfigureApoClient(options));
        services?.Invoke(builder.Services);
        return builder.Build();
    }
}

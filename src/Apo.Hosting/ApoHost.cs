using Apo.Hosting.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Apo.Hosting;

/// <summary>Builds the one-process host of an embedded run: a single silo with its own in-process client.</summary>
public static class ApoHost
{
    /// <summary>
    /// Creates (does not start) a host running one silo configured by <paramref name="options"/>.
    /// Grains are reached through the host's <c>IGrainFactory</c> / <c>IClusterClient</c>.
    /// <paramref name="services"/> adds the caller's services (grain dependencies, logging).
    /// </summary>
    public static IHost CreateEmbedded(ApoSiloOptions options, Action<IServiceCollection>? services = null)
    {
        ApoSiloConfiguration.Validate(options);
        // Empty builder: no appsettings.json, no environment or command-line sources sneaking into the
        // silo; the silo-config file is the single source of settings.
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.UseOrleans(silo => silo.ConfigureApoSilo(options));
        services?.Invoke(builder.Services);
        return builder.Build();
    }
}

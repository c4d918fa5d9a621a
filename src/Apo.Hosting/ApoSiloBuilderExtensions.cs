using System.Net;
using Apo.Hosting.Configuration;
using Apo.Hosting.Placement;
using Apo.Hosting.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Hosting;

namespace Apo.Hosting;

/// <summary>Turns validated <see cref="ApoSiloOptions"/> into an Orleans silo configuration.</summary>
public static class ApoSiloBuilderExtensions
{
    /// <summary>
    /// Wires clustering, the grain storage <see cref="ApoStorage.Name"/> (and the stream pub/sub store),
    /// the stream provider <see cref="ApoStorage.StreamProviderName"/>, the silo's role metadata and the
    /// placement filters. The options are validated first and registered as a singleton so grains can read
    /// the device and thread settings.
    /// </summary>
    public static ISiloBuilder ConfigureApoSilo(this ISiloBuilder builder, ApoSiloOptions options)
    {
        ApoSiloConfiguration.Validate(options);
        builder.Services.AddSingleton(options);

        ConfigureClustering(builder, options);
        ConfigureStorage(builder, options);
        builder.AddMemoryStreams(ApoStorage.StreamProviderName);  // Streams.Kind is validated: only memory today

        return builder.UseApoRole(options.Role).AddApoPlacement();
    }

    private static void ConfigureClustering(ISiloBuilder builder, ApoSiloOptions options)
    {
        // Validation admits only "localhost" today. Listen on loopback only: an embedded run must not
        // expose its silo or gateway to the network.
        builder.UseLocalhostClustering(options.SiloPort, options.GatewayPort, null, options.ServiceId, options.ClusterId);
        builder.Configure<EndpointOptions>(endpoints =>
        {
            endpoints.AdvertisedIPAddress = IPAddress.Loopback;
            endpoints.SiloListeningEndpoint = new IPEndPoint(IPAddress.Loopback, options.SiloPort);
            endpoints.GatewayListeningEndpoint = new IPEndPoint(IPAddress.Loopback, options.GatewayPort);
        });
    }

    private static void ConfigureStorage(ISiloBuilder builder, ApoSiloOptions options)
    {
        if (options.Storage.Kind == ApoKinds.File)
        {
            var root = Path.GetFullPath(options.Storage.Directory);
            builder.AddFileGrainStorage(ApoStorage.Name, o => o.RootDirectory = Path.Combine(root, "grains"));
            // Subscriptions live as long as the grains that made them.
            builder.AddFileGrainStorage(ApoStorage.PubSubStoreName, o => o.RootDirectory = Path.Combine(root, "pubsub"));
        }
        else
        {
            builder.AddMemoryGrainStorage(ApoStorage.Name);
            builder.AddMemoryGrainStorage(ApoStorage.PubSubStoreName);
        }
    }
}

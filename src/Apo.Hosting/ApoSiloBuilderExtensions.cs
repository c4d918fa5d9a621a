using System.Net;
using Apo.Hosting.Azure;
using Apo.Hosting.Configuration;
using Apo.Hosting.Placement;
using Apo.Hosting.Security;
using Apo.Hosting.Storage;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Hosting;

namespace Apo.Hosting;

/// <summary>Turns validated <see cref="ApoSiloOptions"/> into an Orleans silo configuration.</summary>
public static class ApoSiloBuilderExtensions
{
    /// <summary>
    /// Wires clustering, the grain storages <see cref="ApoStorage.Name"/> and <see cref="ApoStorage.LargeName"/>
    /// (and the stream pub/sub store), the stream provider <see cref="ApoStorage.StreamProviderName"/>, the
    /// silo's role metadata and the placement filters, and Orleans' Kubernetes hosting when
    /// <see cref="ApoSiloOptions.Kubernetes"/> is set. The options are validated first and registered as a
    /// singleton so grains can read the device and thread settings. Azure kinds reach the account through
    /// <see cref="ApoStorageConnection"/> (a connection string or a token credential from the environment) and fail
    /// here, naming the variables, when neither is set.
    /// </summary>
    public static ISiloBuilder ConfigureApoSilo(this ISiloBuilder builder, ApoSiloOptions options)
    {
        ApoSiloConfiguration.Validate(options);
        builder.Services.AddSingleton(options);

        ConfigureClustering(builder, options);
        ConfigureStorage(builder, options);
        ConfigureStreams(builder, options);
        ConfigureReminders(builder, options);
        builder.Services.AddSingleton(new Apo.Grains.Runs.RunConfinement(options.RunsRoot));
        // Embedded silos stay plain: they listen on loopback and their one client is their own process.
        if (options.Tls.Enabled)
            builder.UseClusterTls(options.Tls, options.Source);
        if (options.Kubernetes)
            builder.UseKubernetesHosting();

        return builder.UseApoRole(options.Role).AddApoPlacement();
    }

    private static void ConfigureClustering(ISiloBuilder builder, ApoSiloOptions options)
    {
        if (options.Clustering.Kind == ApoKinds.Azure)
        {
            var account = ApoStorageConnection.Require(options.Source, "Silo:Clustering:Kind");
            builder.Configure<ClusterOptions>(cluster =>
            {
                cluster.ServiceId = options.ServiceId;
                cluster.ClusterId = options.ClusterId;
            });
            builder.UseAzureStorageClustering(o => o.TableServiceClient = account.Tables());
            var address = SiloEndpoint.ListenAddress(options);
            builder.Configure<EndpointOptions>(endpoints =>
            {
                endpoints.SiloPort = options.SiloPort;
                endpoints.GatewayPort = options.GatewayPort;
                endpoints.AdvertisedIPAddress = address;
                // The advertised address only, not 0.0.0.0: nothing else on the node reaches the silo's ports.
                endpoints.SiloListeningEndpoint = new IPEndPoint(address, options.SiloPort);
                endpoints.GatewayListeningEndpoint = new IPEndPoint(address, options.GatewayPort);
            });
            return;
        }

        // Localhost: listen on loopback only: an embedded run must not expose its silo or gateway to the network.
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
        switch (options.Storage.Kind)
        {
            case ApoKinds.Azure:
                builder.AddApoAzureGrainStorage(options, ApoStorageConnection.Require(options.Source, "Silo:Storage:Kind"));
                break;
            case ApoKinds.File:
                var root = Path.GetFullPath(options.Storage.Directory);
                builder.AddFileGrainStorage(ApoStorage.Name, o => o.RootDirectory = Path.Combine(root, "grains"));
                builder.AddFileGrainStorage(ApoStorage.LargeName, o => o.RootDirectory = Path.Combine(root, "large"));
                // Subscriptions live as long as the grains that made them.
                builder.AddFileGrainStorage(ApoStorage.PubSubStoreName, o => o.RootDirectory = Path.Combine(root, "pubsub"));
                break;
            default:
                builder.AddMemoryGrainStorage(ApoStorage.Name);
                builder.AddMemoryGrainStorage(ApoStorage.LargeName);
                builder.AddMemoryGrainStorage(ApoStorage.PubSubStoreName);
                break;
        }
    }

    /// <summary>
    /// Reminders wake a run whose activation was lost, so it goes on with no client: in an Azure table when the
    /// cluster's membership lives in Azure (any silo may host the run next), in memory for a one-process silo.
    /// </summary>
    private static void ConfigureReminders(ISiloBuilder builder, ApoSiloOptions options)
    {
        if (options.Clustering.Kind == ApoKinds.Azure)
        {
            var account = ApoStorageConnection.Require(options.Source, "Silo:Clustering:Kind");
            builder.UseAzureTableReminderService(o => o.TableServiceClient = account.Tables());
        }
        else builder.UseInMemoryReminderService();
    }

    /// <summary>How often an idle in-memory stream queue is polled (embedded default and tests).</summary>
    public static readonly TimeSpan MemoryStreamPollPeriod = TimeSpan.FromMilliseconds(5);

    private static void ConfigureStreams(ISiloBuilder builder, ApoSiloOptions options)
    {
        if (options.Streams.Kind != ApoKinds.AzureQueue)
        {
            // The pulling agent waits GetQueueMsgsTimerPeriod (100 ms by default) after finding its queue
            // empty; every stage-2 step waits for its rollouts on the stream, so that pause was a fixed
            // ~50 ms per step. An in-memory queue costs nothing to poll.
            builder.AddMemoryStreams(ApoStorage.StreamProviderName, streams => streams.ConfigurePullingAgent(agent =>
                agent.Configure(o => o.GetQueueMsgsTimerPeriod = MemoryStreamPollPeriod)));
            return;
        }
        var account = ApoStorageConnection.Require(options.Source, "Silo:Streams:Kind");
        builder.AddAzureQueueStreams(ApoStorage.StreamProviderName, ob => ob.Configure(o =>
        {
            o.QueueServiceClient = account.Queues();
            o.QueueNames = ApoStreamQueues.Names(options.ServiceId, options.ClusterId, options.Streams.QueueCount);
        }));
    }
}

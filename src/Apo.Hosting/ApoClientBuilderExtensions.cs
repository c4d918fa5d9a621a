using Apo.Hosting.Azure;
using Apo.Hosting.Configuration;
using Apo.Hosting.Security;
using Azure.Data.Tables;
using Orleans.Configuration;
using Orleans.Hosting;

namespace Apo.Hosting;

/// <summary>Turns validated <see cref="ApoClientOptions"/> into an Orleans client configuration.</summary>
public static class ApoClientBuilderExtensions
{
    /// <summary>
    /// Wires the client's gateway discovery (loopback gateway, or the Azure Table membership the silos write)
    /// and, for Azure queue streams, the same stream provider as the silos so the client can publish.
    /// Azure kinds reach the account through <see cref="ApoStorageConnection"/>.
    /// </summary>
    public static IClientBuilder ConfigureApoClient(this IClientBuilder builder, ApoClientOptions options)
    {
        ApoClientConfiguration.Validate(options);
        if (options.Clustering.Kind == ApoKinds.Azure)
        {
            var account = ApoStorageConnection.Require(options.Source, "Client:Clustering:Kind");
            builder.Configure<ClusterOptions>(cluster =>
            {
                cluster.ServiceId = options.ServiceId;
                cluster.ClusterId = options.ClusterId;
            });
            builder.UseAzureStorageClustering(o => o.TableServiceClient = account.Tables());
        }
        else
            builder.UseLocalhostClustering(options.GatewayPort, options.ServiceId, options.ClusterId);

        if (options.Streams.Kind == ApoKinds.AzureQueue)
        {
            var account = ApoStorageConnection.Require(options.Source, "Client:Streams:Kind");
            builder.AddAzureQueueStreams(ApoStorage.StreamProviderName, ob => ob.Configure(o =>
            {
                o.QueueServiceClient = account.Queues();
                o.QueueNames = ApoStreamQueues.Names(options.ServiceId, options.ClusterId, options.Streams.QueueCount);
            }));
        }
        else
            builder.AddMemoryStreams(ApoStorage.StreamProviderName);
        if (options.Tls.Enabled)
            builder.UseClusterTls(options.Tls, options.Source);
        return builder;
    }
}

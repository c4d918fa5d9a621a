using Apo.Hosting.Azure;
using Apo.Hosting.Configuration;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Storage;

namespace Apo.Hosting.Storage;

/// <summary>Registers the Azure grain storages of a cluster silo.</summary>
public static class AzureGrainStorageExtensions
{
    /// <summary>Name of the Azure Table store behind <see cref="ApoStorage.Name"/> (small states).</summary>
    public const string TableStoreName = "apo-table";

    /// <summary>Name of the Azure Blob store behind <see cref="ApoStorage.Name"/> (states above the threshold).</summary>
    public const string BlobStoreName = ApoStorage.LargeName;

    /// <summary>
    /// Adds <see cref="ApoStorage.Name"/> on Azure Table (with states above
    /// <see cref="ApoStorageOptions.LargeStateThresholdBytes"/> on Azure Blob when
    /// <see cref="ApoStorageOptions.LargeStateKind"/> is <c>blob</c>), <see cref="ApoStorage.LargeName"/> on
    /// Azure Blob for grains that know their state is big, and the stream pub/sub store on Azure Table.
    /// Payloads use the Orleans binary serializer (tolerant of added/removed <c>[Id]</c> members).
    /// </summary>
    public static ISiloBuilder AddApoAzureGrainStorage(this ISiloBuilder builder, ApoSiloOptions options, AzureStorageAccount account)
    {
        var storage = options.Storage;
        var container = AzureNames.ContainerOrQueue(options.ServiceId, "grain-state");

        builder.AddAzureTableGrainStorage(ApoStorage.PubSubStoreName, ob => ob.Configure(o =>
        {
            o.TableServiceClient = account.Tables();
            o.DeleteStateOnClear = true;
        }).PostConfigure<Serializer>(Binary));
        builder.AddAzureBlobGrainStorage(BlobStoreName, ob => ob.Configure(o =>
        {
            o.BlobServiceClient = account.Blobs();
            o.ContainerName = container;
            o.DeleteStateOnClear = true;
        }).PostConfigure<Serializer>(Binary));

        if (storage.LargeStateKind == ApoKinds.None)
        {
            builder.AddAzureTableGrainStorage(ApoStorage.Name, ob => ob.Configure(o =>
            {
                o.TableServiceClient = account.Tables();
                o.DeleteStateOnClear = true;
            }).PostConfigure<Serializer>(Binary));
            return builder;
        }

        builder.AddAzureTableGrainStorage(TableStoreName, ob => ob.Configure(o =>
        {
            o.TableServiceClient = account.Tables();
            o.DeleteStateOnClear = true;  // the tiered store relies on it
        }).PostConfigure<Serializer>(Binary));
        builder.Services.AddGrainStorage(ApoStorage.Name, (sp, _) => new SizeTieredGrainStorage(
            sp.GetRequiredKeyedService<IGrainStorage>(TableStoreName),
            sp.GetRequiredKeyedService<IGrainStorage>(BlobStoreName),
            new OrleansGrainStorageSerializer(sp.GetRequiredService<Serializer>()),
            storage.LargeStateThresholdBytes));
        return builder;
    }

    // Overrides Orleans' default (JSON) so the size measured by the tiered store is the size stored.
    private static void Binary(IStorageProviderSerializerOptions options, Serializer serializer) =>
        options.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
}

using Apo.Grains.Weights;
using Apo.Hosting.Azure;
using Apo.Hosting.Configuration;

namespace Apo.Hosting.Weights;

/// <summary>Chooses a silo's <see cref="IWeightStore"/> from its <see cref="ApoWeightsOptions"/>.</summary>
public static class ApoWeightStores
{
    /// <summary>
    /// The weight store a silo configured by <paramref name="options"/> uses, as a factory for the silo's
    /// container. <paramref name="directoryOverride"/> (<c>apo silo --weights DIR</c>) wins over the config.
    /// Configuration errors, including a missing <c>APO_STORAGE_CONNECTION</c> for <c>azureblob</c>, are thrown
    /// here, before the silo starts, not at the first grain that needs the store.
    /// </summary>
    public static Func<IServiceProvider, IWeightStore> Select(ApoSiloOptions options, string? directoryOverride = null)
    {
        ApoSiloConfiguration.Validate(options);
        if (directoryOverride is not null)
        {
            string root = Path.GetFullPath(directoryOverride);
            return _ => new DirectoryWeightStore(root);
        }
        var weights = options.Weights;
        switch (weights.Kind)
        {
            case ApoKinds.Directory:
                string shared = Path.GetFullPath(weights.Directory);
                return _ => new DirectoryWeightStore(shared);
            case ApoKinds.AzureBlob:
                var account = ApoStorageConnection.Require(options.Source, "Silo:Weights:Kind", ApoKinds.AzureBlob);
                string cache = string.IsNullOrWhiteSpace(weights.CacheDirectory)
                    ? Path.Combine(Path.GetTempPath(), $"apo-weight-cache-{Environment.UserName}")
                    : weights.CacheDirectory;
                string container = weights.Container;
                return _ => new BlobWeightStore(account.Blobs().GetBlobContainerClient(container), cache);
            default:
                return _ => new InProcessWeightStore();
        }
    }

    /// <summary>One line for the silo's start-up message, e.g. <c>azureblob apo-weights</c>.</summary>
    public static string Describe(ApoSiloOptions options, string? directoryOverride = null) =>
        directoryOverride is not null ? $"directory {Path.GetFullPath(directoryOverride)} (--weights)"
        : options.Weights.Kind switch
        {
            ApoKinds.Directory => $"directory {Path.GetFullPath(options.Weights.Directory)}",
            ApoKinds.AzureBlob => $"azureblob container {options.Weights.Container}",
            _ => "inprocess (this silo only)",
        };
}

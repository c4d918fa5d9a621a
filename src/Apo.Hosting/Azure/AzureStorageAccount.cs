using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace Apo.Hosting.Azure;

/// <summary>
/// The Azure Storage account a cluster uses, reached either with an account-key connection string or with a
/// token credential (Entra ID: Kubernetes workload identity, a managed identity, az login), so that each
/// component can hold a role scoped to what it needs instead of the account key. Every Azure client of a
/// silo or a client process is made here, so the two paths cannot drift apart.
/// </summary>
public sealed class AzureStorageAccount
{
    readonly string? connectionString;
    readonly string? accountName;
    readonly string endpointSuffix;
    readonly TokenCredential? credential;

    AzureStorageAccount(string? connectionString, string? accountName, string endpointSuffix, TokenCredential? credential)
    {
        this.connectionString = connectionString;
        this.accountName = accountName;
        this.endpointSuffix = endpointSuffix;
        this.credential = credential;
    }

    /// <summary>An account reached with a connection string (Azurite, or an account key).</summary>
    public static AzureStorageAccount FromConnectionString(string connectionString) => new(connectionString, null, "", null);

    /// <summary>
    /// An account reached at <c>https://{name}.{blob|queue|table}.{suffix}</c> with <paramref name="credential"/>
    /// (for example <c>DefaultAzureCredential</c>, which picks up workload identity in a pod).
    /// </summary>
    public static AzureStorageAccount FromTokenCredential(string accountName, TokenCredential credential, string endpointSuffix = "core.windows.net") =>
        new(null, accountName, endpointSuffix, credential);

    /// <summary>True when the account is reached with a token credential rather than a connection string.</summary>
    public bool UsesTokenCredential => credential is not null;

    /// <summary>The service endpoint of one of the account's services (<c>blob</c>, <c>queue</c>, <c>table</c>); token path only.</summary>
    public Uri Endpoint(string service) =>
        accountName is null ? throw new InvalidOperationException("a connection-string account has no endpoint of its own")
        : new Uri($"https://{accountName}.{service}.{endpointSuffix}");

    /// <summary>Membership, reminders and the table grain storage.</summary>
    public TableServiceClient Tables() =>
        credential is null ? new TableServiceClient(connectionString) : new TableServiceClient(Endpoint("table"), credential);

    /// <summary>Large grain states and weight versions.</summary>
    public BlobServiceClient Blobs() =>
        credential is null ? new BlobServiceClient(connectionString) : new BlobServiceClient(Endpoint("blob"), credential);

    /// <summary>Stream queues.</summary>
    public QueueServiceClient Queues() =>
        credential is null ? new QueueServiceClient(connectionString) : new QueueServiceClient(Endpoint("queue"), credential);
}

using System.Text.RegularExpressions;
using Azure.Identity;

namespace Apo.Hosting.Azure;

/// <summary>
/// How a process reaches the cluster's Azure Storage account. It comes only from the environment (a Kubernetes
/// Secret or the pod's workload identity), never from a configuration file, and nothing secret is ever logged:
/// <list type="bullet">
/// <item><c>APO_STORAGE_CONNECTION</c>: a connection string (Azurite, or an account key);</item>
/// <item>otherwise <c>APO_STORAGE_ACCOUNT</c>: the account name, reached with Azure.Identity's
/// <c>DefaultAzureCredential</c> (workload identity, managed identity, environment or az login), each component
/// with the data-plane roles it needs (see docs/CLUSTER.md).</item>
/// </list>
/// </summary>
public static partial class ApoStorageConnection
{
    /// <summary>The environment variable that holds the connection string.</summary>
    public const string EnvironmentVariable = "APO_STORAGE_CONNECTION";

    /// <summary>The environment variable that names the account reached with a token credential.</summary>
    public const string AccountVariable = "APO_STORAGE_ACCOUNT";

    /// <summary>Optional: the endpoint suffix of a sovereign cloud (default <c>core.windows.net</c>).</summary>
    public const string EndpointSuffixVariable = "APO_STORAGE_ENDPOINT_SUFFIX";

    /// <summary>
    /// The account to use, or throws <see cref="InvalidDataException"/> naming both variables, the configuration
    /// source and the field that asked for Azure. The connection string wins when both are set.
    /// </summary>
    public static AzureStorageAccount Require(string source, string field, string kind = "azure")
    {
        var value = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(value))
            return AzureStorageAccount.FromConnectionString(value);
        var account = Environment.GetEnvironmentVariable(AccountVariable);
        if (!string.IsNullOrWhiteSpace(account))
        {
            if (!AccountPattern().IsMatch(account))
                throw new InvalidDataException(
                    $"{source}: environment variable {AccountVariable} = \"{account}\" is not a storage account name (3-24 lower-case letters and digits)");
            var suffix = Environment.GetEnvironmentVariable(EndpointSuffixVariable);
            return AzureStorageAccount.FromTokenCredential(account, new DefaultAzureCredential(),
                string.IsNullOrWhiteSpace(suffix) ? "core.windows.net" : suffix.Trim());
        }
        throw new InvalidDataException(
            $"{source}: field \"{field}\" is \"{kind}\", but neither {EnvironmentVariable} nor {AccountVariable} is set; " +
            $"set {EnvironmentVariable} to the Azure Storage connection string, or {AccountVariable} to the account name to sign in " +
            "with the pod's workload identity (both are read only from the environment, never from a file)");
    }

    [GeneratedRegex("^[a-z0-9]{3,24}$")]
    private static partial Regex AccountPattern();
}

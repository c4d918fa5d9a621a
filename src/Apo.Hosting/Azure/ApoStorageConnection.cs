namespace Apo.Hosting.Azure;

/// <summary>
/// The Azure Storage connection string of a cluster. It comes only from the environment (a Kubernetes
/// secret in a deployment), never from a configuration file, and is never logged.
/// </summary>
public static class ApoStorageConnection
{
    /// <summary>The environment variable that holds the connection string.</summary>
    public const string EnvironmentVariable = "APO_STORAGE_CONNECTION";

    /// <summary>
    /// Returns the connection string, or throws <see cref="InvalidDataException"/> naming
    /// <see cref="EnvironmentVariable"/>, the configuration source and the field that asked for Azure.
    /// </summary>
    public static string Require(string source, string field, string kind = "azure")
    {
        var value = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(value))
            return value;
        throw new InvalidDataException(
            $"{source}: field \"{field}\" is \"{kind}\", but the environment variable {EnvironmentVariable} is not set; " +
            "set it to the Azure Storage connection string (it is read only from the environment, never from a file)");
    }
}

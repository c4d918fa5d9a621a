using Microsoft.Extensions.Configuration;

namespace Apo.Hosting.Configuration;

/// <summary>
/// Reads <see cref="ApoClientOptions"/> from the <c>Client</c> section of a configuration file, with the same
/// <c>APO_</c> environment overrides (e.g. <c>APO_Client__ClusterId=prod</c>) and error style as
/// <see cref="ApoSiloConfiguration"/>.
/// </summary>
public static class ApoClientConfiguration
{
    /// <summary>The configuration section that holds the client options.</summary>
    public const string SectionName = "Client";

    /// <summary>Loads and validates the options in <paramref name="path"/>.</summary>
    public static ApoClientOptions Load(string path)
    {
        var section = ApoConfigurationFile.Section(path, SectionName);
        var options = new ApoClientOptions();
        ApoConfigurationFile.Bind(path, section, options);
        options.Source = path;
        Validate(options);
        return options;
    }

    /// <summary>Checks every field; throws <see cref="InvalidDataException"/> naming the source and field.</summary>
    public static void Validate(ApoClientOptions options)
    {
        var check = new ApoFieldCheck(options.Source, SectionName);
        check.Require(!string.IsNullOrWhiteSpace(options.ServiceId), "ServiceId", options.ServiceId, "must not be empty");
        check.Require(!string.IsNullOrWhiteSpace(options.ClusterId), "ClusterId", options.ClusterId, "must not be empty");
        check.Kind("Clustering:Kind", options.Clustering?.Kind, ApoKinds.Localhost, ApoKinds.Azure);
        check.Kind("Streams:Kind", options.Streams?.Kind, ApoKinds.Memory, ApoKinds.AzureQueue);
        check.Require(options.Streams!.QueueCount is >= 1 and <= 64, "Streams:QueueCount", options.Streams.QueueCount.ToString(), "must be in 1..64");
        check.Require(options.GatewayPort is > 0 and <= 65535, "GatewayPort", options.GatewayPort.ToString(), "must be a port in 1..65535");
        Security.ApoTlsFiles.Validate(options.Tls, check);
    }
}

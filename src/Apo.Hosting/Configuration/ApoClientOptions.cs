namespace Apo.Hosting.Configuration;

/// <summary>
/// A cluster client's settings, bound from the <c>Client</c> section of a <c>silo-config/*.json</c> file
/// (see <see cref="ApoClientConfiguration.Load"/>) or built in code. Field names and values match the
/// silo's <c>Silo</c> section, so one cluster's files read alike.
/// </summary>
public sealed class ApoClientOptions
{
    /// <summary>Orleans ServiceId of the cluster to join.</summary>
    public string ServiceId { get; set; } = "apo";

    /// <summary>Orleans ClusterId of the cluster to join.</summary>
    public string ClusterId { get; set; } = "apo-embedded";

    /// <summary>How the client finds gateways: <c>localhost</c> or <c>azure</c> (the silos' membership table).</summary>
    public ApoClusteringOptions Clustering { get; set; } = new();

    /// <summary>The stream provider the client may publish to; must match the silos'.</summary>
    public ApoStreamsOptions Streams { get; set; } = new();

    /// <summary>Localhost clustering only: the gateway port on 127.0.0.1.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Mutual TLS to the gateways; must be on when the silos use it.</summary>
    public ApoTlsOptions Tls { get; set; } = new();

    /// <summary>Where these options came from; validation errors start with it. Not bound from configuration.</summary>
    public string Source { get; set; } = "client options";
}

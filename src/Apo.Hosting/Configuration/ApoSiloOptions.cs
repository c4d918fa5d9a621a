namespace Apo.Hosting.Configuration;

/// <summary>
/// One silo's settings, bound from the <c>Silo</c> section of a <c>silo-config/*.json</c> file
/// (see <see cref="ApoSiloConfiguration.Load"/>) or built in code.
/// </summary>
public sealed class ApoSiloOptions
{
    /// <summary>Orleans ServiceId: stable across deployments of the same system (keys durable state).</summary>
    public string ServiceId { get; set; } = "apo";

    /// <summary>Orleans ClusterId: silos with the same id form one cluster.</summary>
    public string ClusterId { get; set; } = "apo-embedded";

    /// <summary>Comma-separated roles: <c>trainer</c>, <c>generator</c> or <c>trainer,generator</c>.</summary>
    public string Role { get; set; } = "trainer,generator";

    /// <summary>How silos find each other.</summary>
    public ApoClusteringOptions Clustering { get; set; } = new();

    /// <summary>Where grain state lives.</summary>
    public ApoStorageOptions Storage { get; set; } = new();

    /// <summary>Which stream provider carries rollouts.</summary>
    public ApoStreamsOptions Streams { get; set; } = new();

    /// <summary>Torch device of this silo: <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    public string Device { get; set; } = "cpu";

    /// <summary>Torch intra-op threads; 0 means all cores.</summary>
    public int TorchThreads { get; set; }

    /// <summary>
    /// The IP address other silos and clients reach this silo at (Azure clustering only). Empty: the
    /// environment variable <c>POD_IP</c> (Kubernetes) when set, otherwise the machine's first
    /// non-loopback address. A loopback address keeps the silo on this machine.
    /// </summary>
    public string AdvertisedIP { get; set; } = "";

    /// <summary>Silo-to-silo port (bound on 127.0.0.1 for localhost clustering).</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Client gateway port (bound on 127.0.0.1 for localhost clustering).</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// Where these options came from (a file path, or a description); validation errors start with it.
    /// Not bound from configuration.
    /// </summary>
    public string Source { get; set; } = "silo options";
}

/// <summary>Clustering settings.</summary>
public sealed class ApoClusteringOptions
{
    /// <summary>
    /// <c>localhost</c> (one machine, loopback only) or <c>azure</c> (Azure Table membership; the connection
    /// string comes from the environment variable <c>APO_STORAGE_CONNECTION</c>).
    /// </summary>
    public string Kind { get; set; } = ApoKinds.Localhost;
}

/// <summary>Grain storage settings.</summary>
public sealed class ApoStorageOptions
{
    /// <summary>
    /// <c>file</c> (durable, atomic files), <c>memory</c> (lost on exit; tests) or <c>azure</c> (Azure Table,
    /// with states above <see cref="LargeStateThresholdBytes"/> in Azure Blob; see <see cref="LargeStateKind"/>).
    /// </summary>
    public string Kind { get; set; } = ApoKinds.File;

    /// <summary>Folder of the file storage; a relative path is resolved against the run directory.</summary>
    public string Directory { get; set; } = "state";

    /// <summary>
    /// Azure storage only: where a grain state goes once its serialized size exceeds
    /// <see cref="LargeStateThresholdBytes"/>: <c>blob</c> (Azure Blob) or <c>none</c> (everything stays in
    /// Azure Table; a state too large for a table entity then fails to write).
    /// </summary>
    public string LargeStateKind { get; set; } = ApoKinds.Blob;

    /// <summary>
    /// Azure storage only: serialized states larger than this many bytes go to <see cref="LargeStateKind"/>.
    /// Azure Table entities hold at most 1 MiB (Orleans splits the payload over 64 KiB properties and stops
    /// at about 960 KiB), so the value must stay below 900 KiB.
    /// </summary>
    public int LargeStateThresholdBytes { get; set; } = 256 * 1024;
}

/// <summary>Stream settings.</summary>
public sealed class ApoStreamsOptions
{
    /// <summary><c>memory</c> (in-process queues) or <c>azurequeue</c> (Azure Storage queues).</summary>
    public string Kind { get; set; } = ApoKinds.Memory;

    /// <summary>Azure queue streams only: how many queues the stream provider spreads streams over.</summary>
    public int QueueCount { get; set; } = 4;
}

/// <summary>The provider kinds understood.</summary>
public static class ApoKinds
{
    /// <summary>Loopback clustering for one machine.</summary>
    public const string Localhost = "localhost";
    /// <summary>Durable local files.</summary>
    public const string File = "file";
    /// <summary>In-memory (not durable).</summary>
    public const string Memory = "memory";
    /// <summary>Azure Storage: Table membership, Table (+ Blob) grain storage.</summary>
    public const string Azure = "azure";
    /// <summary>Azure Storage queues (streams).</summary>
    public const string AzureQueue = "azurequeue";
    /// <summary>Azure Blob (large grain states).</summary>
    public const string Blob = "blob";
    /// <summary>No separate store (large grain states stay in the table).</summary>
    public const string None = "none";
}

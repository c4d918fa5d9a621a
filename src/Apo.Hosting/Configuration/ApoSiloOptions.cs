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
    /// <summary><c>localhost</c> (one machine, loopback only). Cluster kinds come later.</summary>
    public string Kind { get; set; } = ApoKinds.Localhost;
}

/// <summary>Grain storage settings.</summary>
public sealed class ApoStorageOptions
{
    /// <summary><c>file</c> (durable, atomic files) or <c>memory</c> (lost on exit; tests).</summary>
    public string Kind { get; set; } = ApoKinds.File;

    /// <summary>Folder of the file storage; a relative path is resolved against the run directory.</summary>
    public string Directory { get; set; } = "state";
}

/// <summary>Stream settings.</summary>
public sealed class ApoStreamsOptions
{
    /// <summary><c>memory</c> (in-process queues).</summary>
    public string Kind { get; set; } = ApoKinds.Memory;
}

/// <summary>The provider kinds understood today.</summary>
public static class ApoKinds
{
    /// <summary>Loopback clustering for one machine.</summary>
    public const string Localhost = "localhost";
    /// <summary>Durable local files.</summary>
    public const string File = "file";
    /// <summary>In-memory (not durable).</summary>
    public const string Memory = "memory";
    /// <summary>Azure Storage (planned: recognised, but rejected as not yet supported).</summary>
    public const string Azure = "azure";
}

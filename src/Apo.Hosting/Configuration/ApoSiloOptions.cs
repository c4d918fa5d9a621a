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

    /// <summary>
    /// The folder every run directory and reference model of this silo must be inside (<c>/runs</c> in the
    /// manifests). Grains refuse a run whose output directory or reference lies elsewhere, so a caller that
    /// reaches the gateway cannot make the silo write or read arbitrary paths. Required with Azure clustering;
    /// empty (no confinement) is allowed only for a loopback silo, whose one client is its own process.
    /// </summary>
    public string RunsRoot { get; set; } = "";

    /// <summary>How silos find each other.</summary>
    public ApoClusteringOptions Clustering { get; set; } = new();

    /// <summary>Where grain state lives.</summary>
    public ApoStorageOptions Storage { get; set; } = new();

    /// <summary>The silo's stream provider (memory or Azure queues). Rollouts do not travel on it: they come back in the generator call's response.</summary>
    public ApoStreamsOptions Streams { get; set; } = new();

    /// <summary>Where the trainer publishes weight versions and generators fetch them (read by <c>apo silo</c>).</summary>
    public ApoWeightsOptions Weights { get; set; } = new();

    /// <summary>
    /// Run under Orleans' Kubernetes hosting (Microsoft.Orleans.Hosting.Kubernetes): silo name, address and
    /// ids from the pod (<c>POD_NAME</c>, <c>POD_IP</c>, <c>POD_NAMESPACE</c>), and pods of silos declared dead
    /// are deleted. Needs the pod's service account to have the RBAC in <c>k8s/base/rbac.yaml</c>.
    /// </summary>
    public bool Kubernetes { get; set; }

    /// <summary>Torch device of this silo: <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    public string Device { get; set; } = "cpu";

    /// <summary>Torch intra-op threads (of each tensor lane); 0 means all cores, shared out between the lanes.</summary>
    public int TorchThreads { get; set; }

    /// <summary>
    /// Tensor lanes: 1 (every tensor operation on one thread), or 2 on a silo that hosts both the trainer and
    /// generators, so asynchronous stage 2 (<c>maxStaleness</c> ≥ 1) samples on one thread while it trains on the
    /// other. Two lanes hold two copies of the reference. The embedded run picks 2 itself when the run is asynchronous.
    /// </summary>
    public int TensorLanes { get; set; } = 1;

    /// <summary>
    /// The dtype models compute in: <c>auto</c> (a bf16/fp16 checkpoint in its own dtype where the device has fast
    /// kernels for it, float32 elsewhere), <c>checkpoint</c>, <c>float32</c>, <c>bfloat16</c> or <c>float16</c>.
    /// Trained policies are saved in the checkpoint's dtype whatever this is.
    /// </summary>
    public string ComputeDtype { get; set; } = "auto";

    /// <summary>Sequences this silo's generators decode together in one sampling batch (a GPU silo wants hundreds).</summary>
    public int GenerationBatchSize { get; set; } = 64;

    /// <summary>
    /// Key/value memory of this silo's rollout engine, in cached tokens over all slots (0 = no budget). When
    /// GenerationBatchSize × longest sequence exceeds it, the slots share it by slabs of halving capacity.
    /// </summary>
    public long GenerationKvTokens { get; set; } = Apo.Model.Inference.SamplerSettings.DefaultKvTokens;

    /// <summary>A generator that replaces sampling with a timed latency model (scale tests on machines without GPUs).</summary>
    public Apo.Grains.Generation.GenerationSimulation Simulation { get; set; } = new();

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
    /// How long a stopping silo may take to leave the cluster (grains deactivated, the trainer paused, the membership
    /// row marked dead) before the host gives up. Kubernetes' <c>terminationGracePeriodSeconds</c> must exceed it.
    /// </summary>
    public int ShutdownTimeoutSeconds { get; set; } = 170;

    /// <summary>The silo's HTTP health endpoint (<c>/health/live</c>, <c>/health/ready</c>).</summary>
    public ApoHealthOptions Health { get; set; } = new();

    /// <summary>Mutual TLS for silo-to-silo and client-to-gateway connections.</summary>
    public ApoTlsOptions Tls { get; set; } = new();

    /// <summary>OpenTelemetry export of Orleans' meters and Apo's own (off unless asked for).</summary>
    public ApoMetricsOptions Metrics { get; set; } = new();

    /// <summary>
    /// Where these options came from (a file path, or a description); validation errors start with it.
    /// Not bound from configuration.
    /// </summary>
    public string Source { get; set; } = "silo options";
}

/// <summary>
/// OpenTelemetry metrics: Orleans' built-in meter (<c>Microsoft.Orleans</c>) and the pipeline's (<c>Apo</c>: stage-1
/// prompts, rollouts, generated tokens, step time, weight-version lag, pending work, verifier failures).
/// </summary>
public sealed class ApoMetricsOptions
{
    /// <summary>Serve a Prometheus scrape endpoint, <c>GET /metrics</c> on the health port (which must be set).</summary>
    public bool Prometheus { get; set; }

    /// <summary>Also push to an OTLP collector at this URI (e.g. <c>http://otel-collector:4317</c>); empty = no push.</summary>
    public string OtlpEndpoint { get; set; } = "";
}

/// <summary>The health endpoint.</summary>
public sealed class ApoHealthOptions
{
    /// <summary>
    /// Port of the HTTP health endpoint (0 = none, the embedded default). It listens on the silo's own address
    /// (the pod IP in Kubernetes; 127.0.0.1 for a loopback silo), never on every interface.
    /// </summary>
    public int Port { get; set; }
}

/// <summary>
/// Mutual TLS: each side presents a certificate issued by the cluster's CA and accepts only peers whose certificate
/// chains to that CA (no public trust store, no host-name check: the CA is the cluster's membership list).
/// </summary>
public sealed class ApoTlsOptions
{
    /// <summary>Use TLS. Off for the embedded default, which listens on loopback only.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// The folder of three PEM files, named as a Kubernetes TLS Secret (or cert-manager) mounts them: <c>tls.crt</c>
    /// (this process's certificate, intermediates after it), <c>tls.key</c> (its unencrypted private key) and
    /// <c>ca.crt</c> (the cluster CA). <c>apo certs --out DIR</c> makes a development set.
    /// </summary>
    public string Directory { get; set; } = "";

    /// <summary>This process's certificate.</summary>
    public string CertificateFile => Path.Combine(Directory, Security.DevelopmentCertificates.CertificateFileName);

    /// <summary>Its private key.</summary>
    public string KeyFile => Path.Combine(Directory, Security.DevelopmentCertificates.KeyFileName);

    /// <summary>The cluster CA's certificate.</summary>
    public string CaFile => Path.Combine(Directory, Security.DevelopmentCertificates.CaFileName);
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

/// <summary>Weight store settings.</summary>
public sealed class ApoWeightsOptions
{
    /// <summary>
    /// <c>inprocess</c> (CPU copies in this process: one silo only), <c>directory</c> (model directories under
    /// <see cref="Directory"/>, which every silo must share) or <c>azureblob</c> (one safetensors blob per version
    /// in <see cref="Container"/>; connection string from <c>APO_STORAGE_CONNECTION</c>).
    /// <c>apo silo --weights DIR</c> overrides it with <c>directory</c>.
    /// </summary>
    public string Kind { get; set; } = ApoKinds.InProcess;

    /// <summary><c>directory</c> only: the shared folder that holds one folder per run.</summary>
    public string Directory { get; set; } = "";

    /// <summary><c>azureblob</c> only: the blob container (3–63 lower-case letters, digits and single hyphens).</summary>
    public string Container { get; set; } = "apo-weights";

    /// <summary>
    /// <c>azureblob</c> only: the local folder downloaded versions are cached in; empty means
    /// <c>{temp}/apo-weight-cache-{user}</c>. It is made private to this user (mode 0700), and one that belongs to
    /// another user is refused. Silo processes of one user on one machine may share it.
    /// </summary>
    public string CacheDirectory { get; set; } = "";
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
    /// <summary>Weight versions in this process's memory.</summary>
    public const string InProcess = "inprocess";
    /// <summary>Weight versions as model directories in a shared folder.</summary>
    public const string Directory = "directory";
    /// <summary>Weight versions as safetensors blobs in Azure Blob Storage.</summary>
    public const string AzureBlob = "azureblob";
    /// <summary>No separate store (large grain states stay in the table).</summary>
    public const string None = "none";
}

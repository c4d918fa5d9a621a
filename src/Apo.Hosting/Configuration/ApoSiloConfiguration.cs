using System.Text.RegularExpressions;
using Apo.Abstractions.Placement;

namespace Apo.Hosting.Configuration;

/// <summary>
/// Reads <see cref="ApoSiloOptions"/> from a <c>silo-config/*.json</c> file (section <c>Silo</c>) with
/// environment overrides prefixed <c>APO_</c> (e.g. <c>APO_Silo__Device=cuda:0</c>), and validates them.
/// </summary>
public static partial class ApoSiloConfiguration
{
    /// <summary>The configuration section that holds the silo options.</summary>
    public const string SectionName = "Silo";

    /// <summary>The environment variable prefix of overrides.</summary>
    public const string EnvironmentPrefix = "APO_";

    /// <summary>
    /// The largest <see cref="ApoStorageOptions.LargeStateThresholdBytes"/>: Orleans' Azure Table storage refuses
    /// payloads above 15 × 64 KiB, and the entity's other properties need room too.
    /// </summary>
    public const int MaxTableStateBytes = 900 * 1024;

    /// <summary>
    /// Loads and validates the options in <paramref name="path"/>. A relative <c>Storage.Directory</c> is
    /// resolved against <paramref name="runDirectory"/> when given. Errors are
    /// <see cref="InvalidDataException"/> / <see cref="FileNotFoundException"/> naming the file and field.
    /// </summary>
    public static ApoSiloOptions Load(string path, string? runDirectory = null)
    {
        var section = ApoConfigurationFile.Section(path, SectionName);
        var options = new ApoSiloOptions();
        ApoConfigurationFile.Bind(path, section, options);

        options.Source = path;
        if (runDirectory is not null && options.Storage.Kind == ApoKinds.File && !string.IsNullOrWhiteSpace(options.Storage.Directory))
            options.Storage.Directory = Path.GetFullPath(Path.Combine(runDirectory, options.Storage.Directory));

        Validate(options);
        return options;
    }

    /// <summary>Checks every field; throws <see cref="InvalidDataException"/> naming the source and field.</summary>
    public static void Validate(ApoSiloOptions options)
    {
        Require(options, !string.IsNullOrWhiteSpace(options.ServiceId), "ServiceId", options.ServiceId, "must not be empty");
        Require(options, !string.IsNullOrWhiteSpace(options.ClusterId), "ClusterId", options.ClusterId, "must not be empty");

        var roles = SiloRoles.Parse(options.Role);
        Require(options, roles.Length > 0 && roles.All(SiloRoles.All.Contains), "Role", options.Role,
            $"must be a comma-separated list of {string.Join(", ", SiloRoles.All)}");

        Kind(options, "Clustering:Kind", options.Clustering?.Kind, ApoKinds.Localhost, ApoKinds.Azure);
        Kind(options, "Storage:Kind", options.Storage?.Kind, ApoKinds.File, ApoKinds.Memory, ApoKinds.Azure);
        if (options.Storage!.Kind == ApoKinds.File)
            Require(options, !string.IsNullOrWhiteSpace(options.Storage.Directory), "Storage:Directory", options.Storage.Directory,
                "must name a folder when Storage:Kind is \"file\"");
        Kind(options, "Storage:LargeStateKind", options.Storage.LargeStateKind, ApoKinds.Blob, ApoKinds.None);
        Require(options, options.Storage.LargeStateThresholdBytes is >= 1024 and <= MaxTableStateBytes, "Storage:LargeStateThresholdBytes",
            options.Storage.LargeStateThresholdBytes.ToString(),
            $"must be in 1024..{MaxTableStateBytes} (an Azure Table entity holds at most 1 MiB)");
        Kind(options, "Streams:Kind", options.Streams?.Kind, ApoKinds.Memory, ApoKinds.AzureQueue);
        Require(options, options.Streams!.QueueCount is >= 1 and <= 64, "Streams:QueueCount", options.Streams.QueueCount.ToString(),
            "must be in 1..64");

        Kind(options, "Weights:Kind", options.Weights?.Kind, ApoKinds.InProcess, ApoKinds.Directory, ApoKinds.AzureBlob);
        if (options.Weights!.Kind == ApoKinds.Directory)
            Require(options, !string.IsNullOrWhiteSpace(options.Weights.Directory), "Weights:Directory", options.Weights.Directory,
                "must name a folder every silo shares when Weights:Kind is \"directory\"");
        if (options.Weights.Kind == ApoKinds.AzureBlob)
            Require(options, ContainerPattern().IsMatch(options.Weights.Container ?? ""), "Weights:Container", options.Weights.Container,
                "must be a blob container name: 3-63 lower-case letters, digits and single hyphens, starting with a letter or digit");

        if (!string.IsNullOrEmpty(options.AdvertisedIP))
        {
            Require(options, options.Clustering!.Kind == ApoKinds.Azure, "AdvertisedIP", options.AdvertisedIP,
                "applies only when Clustering:Kind is \"azure\" (localhost clustering always binds 127.0.0.1)");
            Require(options, System.Net.IPAddress.TryParse(options.AdvertisedIP, out _), "AdvertisedIP", options.AdvertisedIP,
                "must be an IP address such as 10.0.0.5 (or empty: POD_IP, else the machine's address)");
        }

        Require(options, DevicePattern().IsMatch(options.Device ?? ""), "Device", options.Device,
            "must be \"cpu\", \"cuda\" or \"cuda:N\"");
        Require(options, options.TorchThreads >= 0, "TorchThreads", options.TorchThreads.ToString(),
            "must be 0 (all cores) or a positive thread count");
        Require(options, options.TensorLanes is 1 or 2, "TensorLanes", options.TensorLanes.ToString(),
            "must be 1 or 2 (2: generation beside training on a silo with both roles)");
        Require(options, Apo.Model.Devices.ComputePrecision.IsValid(options.ComputeDtype), "ComputeDtype", options.ComputeDtype,
            "must be one of " + string.Join(", ", Apo.Model.Devices.ComputePrecision.Names));
        Require(options, options.GenerationBatchSize > 0, "GenerationBatchSize", options.GenerationBatchSize.ToString(), "must be a positive number of sequences");
        Require(options, options.GenerationKvTokens >= 0, "GenerationKvTokens", options.GenerationKvTokens.ToString(), "must be a number of tokens >= 0 (0 = no budget)");
        var simulation = options.Simulation ?? new();
        Require(options, double.IsFinite(simulation.TokensPerSecond) && simulation.TokensPerSecond >= 0, "Simulation:TokensPerSecond",
            simulation.TokensPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture), "must be a finite number >= 0 (0 = no latency)");
        Require(options, simulation.ResponseTokens >= 0, "Simulation:ResponseTokens", simulation.ResponseTokens.ToString(),
            "must be >= 0 (0 = each request's max new tokens)");
        Require(options, simulation.Enabled || (simulation.TokensPerSecond == 0 && simulation.ResponseTokens == 0), "Simulation:Enabled", "false",
            "must be true for the other Simulation settings to apply");
        Require(options, options.SiloPort is > 0 and <= 65535, "SiloPort", options.SiloPort.ToString(), "must be a port in 1..65535");
        Require(options, options.GatewayPort is > 0 and <= 65535, "GatewayPort", options.GatewayPort.ToString(), "must be a port in 1..65535");
        Require(options, options.SiloPort != options.GatewayPort, "GatewayPort", options.GatewayPort.ToString(), "must differ from SiloPort");
        Require(options, options.ShutdownTimeoutSeconds is >= 1 and <= 3600, "ShutdownTimeoutSeconds", options.ShutdownTimeoutSeconds.ToString(),
            "must be in 1..3600 seconds");
        var health = options.Health ?? new();
        Require(options, health.Port is >= 0 and <= 65535, "Health:Port", health.Port.ToString(), "must be 0 (no endpoint) or a port in 1..65535");
        Require(options, health.Port == 0 || (health.Port != options.SiloPort && health.Port != options.GatewayPort), "Health:Port",
            health.Port.ToString(), "must differ from SiloPort and GatewayPort");
        var metrics = options.Metrics ?? new();
        Require(options, !metrics.Prometheus || health.Port > 0, "Metrics:Prometheus", "true",
            "needs Health:Port: the scrape endpoint is /metrics on the health port");
        Require(options, string.IsNullOrWhiteSpace(metrics.OtlpEndpoint)
                || (Uri.TryCreate(metrics.OtlpEndpoint, UriKind.Absolute, out var otlp) && otlp.Scheme is "http" or "https"),
            "Metrics:OtlpEndpoint", metrics.OtlpEndpoint, "must be an http:// or https:// URI of an OTLP collector (or empty)");
        if (options.Clustering!.Kind == ApoKinds.Azure)
            Require(options, !string.IsNullOrWhiteSpace(options.RunsRoot), "RunsRoot", options.RunsRoot,
                "must name the folder that holds every run directory (e.g. /runs) when Clustering:Kind is \"azure\": " +
                "silos refuse runs outside it");
        if (!string.IsNullOrWhiteSpace(options.RunsRoot))
            Require(options, Path.IsPathFullyQualified(options.RunsRoot), "RunsRoot", options.RunsRoot, "must be an absolute path");
        Security.ApoTlsFiles.Validate(options.Tls, new ApoFieldCheck(options.Source, SectionName));
    }

    private static void Kind(ApoSiloOptions options, string field, string? value, params string[] supported) =>
        new ApoFieldCheck(options.Source, SectionName).Kind(field, value, supported);

    private static void Require(ApoSiloOptions options, bool ok, string field, string? value, string why) =>
        new ApoFieldCheck(options.Source, SectionName).Require(ok, field, value, why);

    [GeneratedRegex(@"^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex ContainerPattern();

    [GeneratedRegex(@"^(cpu|cuda(:\d+)?)$")]
    private static partial Regex DevicePattern();
}

using System.Text.RegularExpressions;
using Apo.Abstractions.Placement;
using Microsoft.Extensions.Configuration;

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
    /// Loads and validates the options in <paramref name="path"/>. A relative <c>Storage.Directory</c> is
    /// resolved against <paramref name="runDirectory"/> when given. Errors are
    /// <see cref="InvalidDataException"/> / <see cref="FileNotFoundException"/> naming the file and field.
    /// </summary>
    public static ApoSiloOptions Load(string path, string? runDirectory = null)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: silo configuration file not found", path);

        IConfigurationRoot root;
        try
        {
            root = new ConfigurationBuilder()
                .AddJsonFile(Path.GetFullPath(path), optional: false, reloadOnChange: false)
                .AddEnvironmentVariables(EnvironmentPrefix)
                .Build();
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or System.Text.Json.JsonException)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.InnerException?.Message ?? e.Message})", e);
        }

        var section = root.GetSection(SectionName);
        if (!section.Exists())
            throw new InvalidDataException($"{path}: section \"{SectionName}\" is missing");

        var options = new ApoSiloOptions();
        try
        {
            section.Bind(options, binder => binder.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException e)
        {
            // The binder names the key ("Silo:TorchThreads") but not the file or the override.
            throw new InvalidDataException($"{path}: {e.Message}{EnvironmentNote(e.Message)}", e);
        }

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

        Kind(options, "Clustering:Kind", options.Clustering?.Kind, ApoKinds.Localhost);
        Kind(options, "Storage:Kind", options.Storage?.Kind, ApoKinds.File, ApoKinds.Memory);
        if (options.Storage!.Kind == ApoKinds.File)
            Require(options, !string.IsNullOrWhiteSpace(options.Storage.Directory), "Storage:Directory", options.Storage.Directory,
                "must name a folder when Storage:Kind is \"file\"");
        Kind(options, "Streams:Kind", options.Streams?.Kind, ApoKinds.Memory);

        Require(options, DevicePattern().IsMatch(options.Device ?? ""), "Device", options.Device,
            "must be \"cpu\", \"cuda\" or \"cuda:N\"");
        Require(options, options.TorchThreads >= 0, "TorchThreads", options.TorchThreads.ToString(),
            "must be 0 (all cores) or a positive thread count");
        Require(options, options.SiloPort is > 0 and <= 65535, "SiloPort", options.SiloPort.ToString(), "must be a port in 1..65535");
        Require(options, options.GatewayPort is > 0 and <= 65535, "GatewayPort", options.GatewayPort.ToString(), "must be a port in 1..65535");
        Require(options, options.SiloPort != options.GatewayPort, "GatewayPort", options.GatewayPort.ToString(), "must differ from SiloPort");
    }

    private static void Kind(ApoSiloOptions options, string field, string? value, params string[] supported)
    {
        if (value is not null && supported.Contains(value, StringComparer.Ordinal))
            return;
        var why = value == ApoKinds.Azure
            ? $"is not supported yet (supported today: {string.Join(", ", supported)})"
            : $"is unknown (supported: {string.Join(", ", supported)})";
        Fail(options, field, value, why);
    }

    private static void Require(ApoSiloOptions options, bool ok, string field, string? value, string why)
    {
        if (!ok)
            Fail(options, field, value, why);
    }

    private static void Fail(ApoSiloOptions options, string field, string? value, string why)
    {
        var key = $"{SectionName}:{field}";
        throw new InvalidDataException(
            $"{options.Source}: field \"{key}\" = \"{value}\" {why}{EnvironmentNote(key)}");
    }

    // Names the environment variable when one overrides the file, so the user looks in the right place.
    private static string EnvironmentNote(string keyOrMessage)
    {
        foreach (var name in Environment.GetEnvironmentVariables().Keys.Cast<string>())
        {
            if (!name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
                continue;
            var key = name[EnvironmentPrefix.Length..].Replace("__", ":");
            if (keyOrMessage.Contains(key, StringComparison.OrdinalIgnoreCase) && key.Contains(':'))
                return $" (set by environment variable {name})";
        }
        return "";
    }

    [GeneratedRegex(@"^(cpu|cuda(:\d+)?)$")]
    private static partial Regex DevicePattern();
}

using Microsoft.Extensions.Configuration;

namespace Apo.Hosting.Configuration;

/// <summary>Reading one section of a <c>silo-config/*.json</c> file with <c>APO_</c> environment overrides.</summary>
internal static class ApoConfigurationFile
{
    /// <summary>The section <paramref name="name"/> of <paramref name="path"/>, overrides applied.</summary>
    public static IConfigurationSection Section(string path, string name)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: silo configuration file not found", path);

        IConfigurationRoot root;
        try
        {
            root = new ConfigurationBuilder()
                .AddJsonFile(Path.GetFullPath(path), optional: false, reloadOnChange: false)
                .AddEnvironmentVariables(ApoSiloConfiguration.EnvironmentPrefix)
                .Build();
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or System.Text.Json.JsonException)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.InnerException?.Message ?? e.Message})", e);
        }

        var section = root.GetSection(name);
        if (!section.Exists())
            throw new InvalidDataException($"{path}: section \"{name}\" is missing");
        return section;
    }

    /// <summary>Binds strictly: an unknown or mistyped key is an error naming the file (and the override).</summary>
    public static void Bind(string path, IConfigurationSection section, object options)
    {
        try
        {
            section.Bind(options, binder => binder.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException e)
        {
            // The binder names the key ("Silo:TorchThreads") but not the file or the override.
            throw new InvalidDataException($"{path}: {e.Message}{EnvironmentNote(e.Message)}", e);
        }
    }

    /// <summary>Names the environment variable when one overrides the file, so the user looks in the right place.</summary>
    public static string EnvironmentNote(string keyOrMessage)
    {
        foreach (var name in Environment.GetEnvironmentVariables().Keys.Cast<string>())
        {
            if (!name.StartsWith(ApoSiloConfiguration.EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
                continue;
            var key = name[ApoSiloConfiguration.EnvironmentPrefix.Length..].Replace("__", ":");
            if (keyOrMessage.Contains(key, StringComparison.OrdinalIgnoreCase) && key.Contains(':'))
                return $" (set by environment variable {name})";
        }
        return "";
    }
}

/// <summary>Field checks whose errors name the source, the section:field, its value and why.</summary>
internal readonly struct ApoFieldCheck(string source, string section)
{
    public void Kind(string field, string? value, params string[] supported)
    {
        if (value is null || !supported.Contains(value, StringComparer.Ordinal))
            Fail(field, value, $"is unknown (supported: {string.Join(", ", supported)})");
    }

    public void Require(bool ok, string field, string? value, string why)
    {
        if (!ok)
            Fail(field, value, why);
    }

    public void Fail(string field, string? value, string why)
    {
        var key = $"{section}:{field}";
        throw new InvalidDataException(
            $"{source}: field \"{key}\" = \"{value}\" {why}{ApoConfigurationFile.EnvironmentNote(key)}");
    }
}

using System.Text.RegularExpressions;

namespace Apo.Grains.Runs;

/// <summary>
/// What a silo lets a caller name: run ids that are one plain path segment, and run directories and reference
/// models inside the silo's runs root (<c>Silo.RunsRoot</c>). Grains check every spec and plan against it, so a
/// caller that reaches a gateway cannot make a silo write or read arbitrary paths. An empty root confines
/// nothing (a loopback silo whose one client is its own process).
/// </summary>
public sealed partial class RunConfinement
{
    /// <summary>No root: only names are checked.</summary>
    public static readonly RunConfinement None = new("");

    /// <summary>The root every run path must be inside, as a full path ending in a separator; null when unconfined.</summary>
    public string? Root { get; }

    public RunConfinement(string? runsRoot)
    {
        if (string.IsNullOrWhiteSpace(runsRoot)) return;
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(runsRoot));
        Root = Path.EndsInDirectorySeparator(full) ? full : full + Path.DirectorySeparatorChar;
    }

    /// <summary>Throws <see cref="InvalidDataException"/> naming <paramref name="field"/> unless <paramref name="runId"/> is a safe name.</summary>
    public static void CheckRunId(string where, string field, string? runId)
    {
        if (runId is null || !RunIdPattern().IsMatch(runId))
            throw new InvalidDataException($"{where}: field \"{field}\" = \"{runId}\" must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit " +
                "(it names folders and blobs)");
    }

    /// <summary>
    /// Throws <see cref="InvalidDataException"/> naming <paramref name="field"/> unless <paramref name="path"/> is an
    /// absolute path that resolves inside the root ("..", "." and repeated separators are resolved first).
    /// </summary>
    public void CheckPath(string where, string field, string? path)
    {
        if (Root is null) return;
        if (string.IsNullOrWhiteSpace(path) || !Path.IsPathFullyQualified(path))
            throw new InvalidDataException($"{where}: field \"{field}\" = \"{path}\" must be an absolute path inside the silo's runs root {Root}");
        string full = Path.GetFullPath(path);
        if (!(full + Path.DirectorySeparatorChar).StartsWith(Root, StringComparison.Ordinal))
            throw new InvalidDataException($"{where}: field \"{field}\" = \"{path}\" resolves to {full}, outside the silo's runs root {Root} (Silo.RunsRoot); refusing it");
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex RunIdPattern();
}

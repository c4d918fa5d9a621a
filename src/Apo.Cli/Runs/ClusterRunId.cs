using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Apo.Cli.Runs;

/// <summary>
/// The id of a run on a cluster. Grain state there outlives the command and is shared by every run
/// of the cluster, so the id must name one run directory: by default the folder's name plus a short
/// hash of its full path (rerunning with the same --out resumes, another --out is another run).
/// </summary>
public static partial class ClusterRunId
{
    public static string Resolve(string? given, string runDirectory)
    {
        if (given is not null)
        {
            if (!Allowed().IsMatch(given))
                throw new UsageException($"--run-id \"{given}\": use 1..64 letters, digits, '-', '_' or '.', starting with a letter or digit");
            return given;
        }
        string full = Path.GetFullPath(runDirectory).TrimEnd(Path.DirectorySeparatorChar);
        string name = Unsafe().Replace(Path.GetFileName(full), "-").Trim('-', '.');
        if (name.Length > 40) name = name[..40];
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(full)))[..10];
        return name.Length == 0 ? $"run-{hash}" : $"{name}-{hash}";
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex Allowed();

    [GeneratedRegex(@"[^A-Za-z0-9_.-]+")]
    private static partial Regex Unsafe();
}

namespace Apo.Hosting.Tests;

/// <summary>Finds files of the repository from the test's output folder.</summary>
public static class RepoFiles
{
    public static string SiloConfig(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "silo-config", name);
            if (File.Exists(candidate))
                return candidate;
        }
        throw new FileNotFoundException($"silo-config/{name} not found above {AppContext.BaseDirectory}");
    }
}

/// <summary>Tests that read or set APO_* environment variables must not run in parallel.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EnvironmentCollection
{
    public const string Name = "environment";
}

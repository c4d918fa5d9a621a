namespace Apo.Deploy.Tests.Manifests;

/// <summary>Finds the repository the tests run from (the folder holding <c>Apo.Orleans.sln</c>).</summary>
public static class RepoPaths
{
    /// <summary>The repository root.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The <c>k8s/</c> folder.</summary>
    public static string K8s => Path.Combine(Root, "k8s");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Apo.Orleans.sln")))
                return dir.FullName;
        throw new DirectoryNotFoundException($"{AppContext.BaseDirectory}: no Apo.Orleans.sln above the test binaries");
    }
}

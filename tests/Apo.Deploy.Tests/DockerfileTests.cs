using Apo.Deploy.Tests.Manifests;

namespace Apo.Deploy.Tests;

/// <summary>
/// The shape of k8s/Dockerfile (it cannot be built here: no Docker engine, no CUDA packages), and
/// that the manifests' command and the image agree.
/// </summary>
public class DockerfileTests
{
    private static readonly string[] Lines = File.ReadAllLines(Path.Combine(RepoPaths.K8s, "Dockerfile"));

    [Fact]
    public void Builds_with_the_sdk_and_the_cuda_backend_then_runs_on_a_cuda_runtime()
    {
        var froms = Lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, froms.Count);
        Assert.Contains("dotnet/sdk", froms[0]);
        Assert.EndsWith(" AS build", froms[0]);
        Assert.Contains("cuda", froms[1]);
        var text = string.Join('\n', Lines);
        Assert.Contains("dotnet publish src/Apo.Cli/Apo.Cli.csproj", text);
        Assert.Contains("-p:ApoTorchBackend=cuda", text);
        Assert.Contains("COPY --from=build /app /app", text);
    }

    [Fact]
    public void Says_it_is_not_built_here()
    {
        var header = string.Join('\n', Lines.TakeWhile(l => l.StartsWith('#')));
        Assert.Contains("NOT BUILT OR RUN ON OUR MACHINES", header);
    }

    [Fact]
    public void The_apo_program_of_the_manifests_is_on_the_image_path()
    {
        // The manifests run ["apo", "silo", ...]: the publish output folder must be on PATH.
        var publishTo = Lines.Select(l => l.Trim()).First(l => l.StartsWith("-o ", StringComparison.Ordinal))[3..].Trim();
        var path = Lines.First(l => l.Contains("PATH=", StringComparison.Ordinal));
        Assert.Contains($"PATH={publishTo}:", path);
    }

    [Fact]
    public void The_runtime_has_the_aspnet_framework_when_a_project_needs_it()
    {
        // The health endpoint is Kestrel: a framework-dependent `apo` that references Microsoft.AspNetCore.App does
        // not start on the plain .NET runtime image ("framework not found").
        var needsAspNet = Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "src"), "*.csproj", SearchOption.AllDirectories)
            .Where(f => File.ReadAllText(f).Contains("<FrameworkReference Include=\"Microsoft.AspNetCore.App\"", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(RepoPaths.Root, f)).ToList();
        var runtimeCopy = Lines.Single(l => l.StartsWith("COPY --from=mcr.microsoft.com/dotnet/", StringComparison.Ordinal));
        if (needsAspNet.Count > 0)
            Assert.True(runtimeCopy.Contains("/dotnet/aspnet:", StringComparison.Ordinal),
                $"k8s/Dockerfile copies \"{runtimeCopy}\", but {string.Join(", ", needsAspNet)} reference Microsoft.AspNetCore.App: copy /usr/share/dotnet from mcr.microsoft.com/dotnet/aspnet");
    }

    [Fact]
    public void Exposes_the_ports_the_silo_containers_declare()
    {
        var exposed = Lines.Where(l => l.StartsWith("EXPOSE ", StringComparison.Ordinal))
            .SelectMany(l => l["EXPOSE ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToHashSet();
        var declared = Checks.SiloPodChecks.Silos(ManifestSet.Load())
            .SelectMany(w => w.SiloContainer.Maps("ports").Select(p => p.Str("containerPort")!)).ToHashSet();
        Assert.True(declared.SetEquals(exposed), $"k8s/Dockerfile EXPOSE {string.Join(" ", exposed.Order())}, the silo containers declare {string.Join(" ", declared.Order())}");
    }
}

using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Apo.Deploy.Tests.Manifests;

/// <summary>One kustomization as kustomize itself builds it: the objects <c>kubectl kustomize</c> printed, and what it warned.</summary>
public sealed record Rendered(string Folder, IReadOnlyList<ManifestDoc> Objects, string Warnings, string Kubectl)
{
    /// <summary>Objects of a kind.</summary>
    public IEnumerable<ManifestDoc> OfKind(string kind) => Objects.Where(o => o.Kind == kind);

    /// <summary>The silo workloads (a container running <c>apo silo</c>).</summary>
    public List<Workload> Silos => Workload.In(Objects).Where(w => w.SiloContainer is not null).ToList();

    /// <summary>The silo workload of a role (by its <c>--config</c> file).</summary>
    public Workload Silo(string role) => Silos.Single(w => w.ConfigPath?.EndsWith($"/cluster-{role}.json") == true);

    /// <summary>
    /// The text a silo's <c>--config</c> file has in the pod: the data key of the ConfigMap its config volume names.
    /// </summary>
    public (string Text, string Source)? ConfigText(Workload w)
    {
        var path = w.ConfigPath;
        var name = path is null ? null : w.Volume(PodParts.MountHolding(w.SiloContainer, path)?.Str("name")).Map("configMap").Str("name");
        var map = OfKind("ConfigMap").FirstOrDefault(m => m.Name == name);
        var key = Path.GetFileName(path ?? "");
        return map?.Root.Map("data").Str(key) is { } text ? (text, $"ConfigMap {name} key {key} (kubectl kustomize k8s/{Folder})") : null;
    }
}

/// <summary>
/// Runs <c>kubectl kustomize &lt;folder&gt;</c> (the kustomize built into kubectl, with its default rules: the same as
/// <c>kubectl apply -k</c>) and parses its multi-document output. The binary is <c>kubectl</c> on PATH, or
/// <c>APO_KUBECTL</c> (e.g. Debian's kubectl 1.20 with kustomize v2.0, to check the oldest one supported).
/// A missing kubectl fails the test: test.sh installs it.
/// </summary>
public static class Kustomize
{
    /// <summary>How long one build may take.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private static readonly ConcurrentDictionary<string, Lazy<Rendered>> Cache = new();

    /// <summary>The kubectl the tests run.</summary>
    public static string Kubectl => Environment.GetEnvironmentVariable("APO_KUBECTL") is { Length: > 0 } k ? k : "kubectl";

    /// <summary>The build of a folder of <c>k8s/</c> (e.g. <c>overlays/dev</c>), once per test run.</summary>
    public static Rendered Render(string folder) =>
        Cache.GetOrAdd(folder, f => new Lazy<Rendered>(() => Run(Kubectl, f))).Value;

    /// <summary>Builds <paramref name="folder"/> with <paramref name="kubectl"/>; throws with the reason when it cannot.</summary>
    public static Rendered Run(string kubectl, string folder)
    {
        var dir = Path.Combine(RepoPaths.K8s, folder);
        var start = new ProcessStartInfo(kubectl)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.Root,
        };
        start.ArgumentList.Add("kustomize");
        start.ArgumentList.Add(dir);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{kubectl} did not start");
        }
        catch (Win32Exception e)
        {
            throw new KubectlMissingException(
                $"cannot run `{kubectl} kustomize k8s/{folder}` ({e.Message}). These tests render the manifests with kustomize's real rules " +
                "and never skip: run ./test.sh, which installs kubectl (Debian's kubernetes-client) when it is missing, or put kubectl on PATH " +
                "(or name one in APO_KUBECTL).", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"`{kubectl} kustomize k8s/{folder}` did not finish within {Timeout.TotalSeconds} s");
            }
            process.WaitForExit();
            var output = stdout.GetAwaiter().GetResult();
            var warnings = stderr.GetAwaiter().GetResult();
            if (process.ExitCode != 0)
                throw new InvalidDataException($"`{kubectl} kustomize k8s/{folder}` failed (exit code {process.ExitCode}):\n{warnings}");
            return new Rendered(folder, Parse(output, dir, $"kubectl kustomize k8s/{folder}"), warnings, kubectl);
        }
    }

    /// <summary>The objects of a multi-document YAML stream.</summary>
    public static List<ManifestDoc> Parse(string yaml, string folder, string origin)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new InvalidDataException($"{origin}: the output is not valid YAML at line {e.Start.Line} ({e.Message})", e);
        }
        return stream.Documents
            .Select((d, i) => d.RootNode is YamlMappingNode root
                ? new ManifestDoc(folder, i, root, origin)
                : throw new InvalidDataException($"{origin}: document {i + 1} is not an object"))
            .ToList();
    }
}

/// <summary>kubectl could not be started.</summary>
public sealed class KubectlMissingException(string message, Exception inner) : Exception(message, inner);

using Apo.Deploy.Tests.Manifests;

namespace Apo.Deploy.Tests.Checks;

/// <summary>The dev overlay: the base, plus Azurite reachable only inside the cluster, plus the Secret pointing at it.</summary>
public static class DevOverlayChecks
{
    /// <summary>The folder of the dev overlay under <c>k8s/</c>.</summary>
    public const string Folder = "overlays/dev";

    /// <summary>The emulator's fixed ports (blob, queue, table): the Azure SDK assumes them for UseDevelopmentStorage.</summary>
    public static readonly string[] AzuritePorts = ["10000", "10001", "10002"];

    /// <summary>Azurite runs in the overlay, listening in its pod, published only by a ClusterIP Service.</summary>
    public static IEnumerable<string> AzuriteInCluster(ManifestSet set)
    {
        var docs = set.ResourcesUnder(Folder).ToList();
        var azurite = Workload.In(docs).FirstOrDefault(w => w.Containers.Any(c => c.Str("image")?.Contains("azurite") == true));
        if (azurite is null)
        {
            yield return $"k8s/{Folder}: no workload runs an azurite image";
            yield break;
        }
        var container = azurite.Containers.First(c => c.Str("image")!.Contains("azurite"));
        var cmd = Workload.Command(container);
        if (!cmd.Contains("--skipApiVersionCheck"))
            yield return $"{azurite.Doc.Where}: azurite needs --skipApiVersionCheck (the Orleans 10.4.2 Azure SDK sends a newer API version)";
        foreach (var host in new[] { "--blobHost", "--queueHost", "--tableHost" })
        {
            var i = cmd.IndexOf(host);
            if (i < 0 || i + 1 >= cmd.Count || cmd[i + 1] != "0.0.0.0")
                yield return $"{azurite.Doc.Where}: {host} must be 0.0.0.0 (the pod's interfaces; Azurite's default 127.0.0.1 is unreachable from the Service)";
        }
        if (azurite.PodSpec.Str("hostNetwork") == "true")
            yield return $"{azurite.Doc.Where}: hostNetwork would expose the emulator on the node";
        foreach (var p in container.Maps("ports").Where(p => p.Has("hostPort")))
            yield return $"{azurite.Doc.Where}: port {p.Str("name")} has a hostPort, exposing the emulator on the node";

        var service = docs.FirstOrDefault(d => d.Kind == "Service" &&
            d.Root.Map("spec").Map("selector").StrMap() is { Count: > 0 } sel && sel.All(kv => azurite.PodLabels.GetValueOrDefault(kv.Key) == kv.Value));
        if (service is null)
        {
            yield return $"k8s/{Folder}: no Service selects the azurite pods";
            yield break;
        }
        var spec = service.Root.Map("spec");
        if ((spec.Str("type") ?? "ClusterIP") != "ClusterIP")
            yield return $"{service.Where}: type {spec.Str("type")} exposes the emulator outside the cluster; use ClusterIP";
        if (spec.Has("externalIPs") || spec.Maps("ports").Any(p => p.Has("nodePort")))
            yield return $"{service.Where}: externalIPs/nodePort expose the emulator outside the cluster";
        var ports = spec.Maps("ports").Select(p => p.Str("port")).ToHashSet();
        foreach (var port in AzuritePorts.Where(p => !ports.Contains(p)))
            yield return $"{service.Where}: port {port} is missing (the SDK's emulator ports are 10000 blob, 10001 queue, 10002 table)";
    }

    /// <summary>The overlay generates the silos' Secret, and its connection string points at the Azurite Service.</summary>
    public static IEnumerable<string> SecretPointsAtAzurite(ManifestSet set)
    {
        var k = set.KustomizationIn(Folder);
        var generator = k?.Root.Maps("secretGenerator").FirstOrDefault(g => g.Str("name") == SecretChecks.SecretName);
        var literal = generator.Strs("literals").FirstOrDefault(l => l.StartsWith(SecretChecks.SecretKey + "=", StringComparison.Ordinal));
        if (literal is null)
        {
            yield return $"k8s/{Folder}/kustomization.yaml: secretGenerator {SecretChecks.SecretName} must set {SecretChecks.SecretKey}";
            yield break;
        }
        var connection = literal[(SecretChecks.SecretKey.Length + 1)..];
        var parts = connection.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "", StringComparer.OrdinalIgnoreCase);
        var services = set.ResourcesUnder(Folder).Where(d => d.Kind == "Service").Select(d => d.Name).ToList();
        if (parts.GetValueOrDefault("UseDevelopmentStorage") != "true" ||
            !Uri.TryCreate(parts.GetValueOrDefault("DevelopmentStorageProxyUri"), UriKind.Absolute, out var proxy))
        {
            yield return $"{k!.Where}: {SecretChecks.SecretKey} must be UseDevelopmentStorage=true;DevelopmentStorageProxyUri=http://<azurite service> (found \"{connection}\")";
            yield break;
        }
        // In-cluster DNS: "azurite" or "azurite.<namespace>.svc.cluster.local" both name the Service.
        var host = proxy.Host.Split('.')[0];
        var target = set.ResourcesUnder(Folder).FirstOrDefault(d => d.Kind == "Service" && d.Name == host);
        var ports = target?.Root.Map("spec").Maps("ports").Select(p => p.Str("port")).ToHashSet() ?? [];
        if (target is null || !AzuritePorts.All(ports.Contains))
            yield return $"{k!.Where}: DevelopmentStorageProxyUri host {proxy.Host} is not the overlay's Azurite Service (Services: {string.Join(", ", services)})";
    }
}

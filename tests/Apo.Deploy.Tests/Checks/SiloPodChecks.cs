using System.Text.Json;
using Apo.Deploy.Tests.Manifests;

namespace Apo.Deploy.Tests.Checks;

/// <summary>What Microsoft.Orleans.Hosting.Kubernetes and the apo silo need in every silo pod.</summary>
public static class SiloPodChecks
{
    /// <summary>The downward-API variables UseKubernetesHosting reads, with the field each must carry.</summary>
    public static readonly IReadOnlyDictionary<string, string> DownwardEnv = new Dictionary<string, string>
    {
        ["POD_NAME"] = "metadata.name",
        ["POD_NAMESPACE"] = "metadata.namespace",
        ["POD_IP"] = "status.podIP",
        ["ORLEANS_SERVICE_ID"] = "metadata.labels['orleans/serviceId']",
        ["ORLEANS_CLUSTER_ID"] = "metadata.labels['orleans/clusterId']",
        ["APO_Silo__ServiceId"] = "metadata.labels['orleans/serviceId']",
        ["APO_Silo__ClusterId"] = "metadata.labels['orleans/clusterId']",
    };

    /// <summary>The silo workloads of the base.</summary>
    public static List<Workload> Silos(ManifestSet set) => Workload.In(set.ResourcesUnder("base")).Where(w => w.SiloContainer is not null).ToList();

    /// <summary>Both roles are deployed: the trainer as a one-replica StatefulSet, generators as a Deployment.</summary>
    public static IEnumerable<string> Roles(ManifestSet set)
    {
        var silos = Silos(set);
        var trainers = silos.Where(w => w.ConfigPath?.EndsWith("/cluster-trainer.json") == true).ToList();
        var generators = silos.Where(w => w.ConfigPath?.EndsWith("/cluster-generator.json") == true).ToList();
        if (trainers.Count != 1 || trainers[0].Doc.Kind != "StatefulSet" || trainers[0].Doc.Root.Map("spec").Str("replicas") != "1")
            yield return $"base: expected one StatefulSet with replicas 1 running `apo silo --config .../cluster-trainer.json`, found {Describe(trainers)}";
        if (generators.Count != 1 || generators[0].Doc.Kind != "Deployment")
            yield return $"base: expected one Deployment running `apo silo --config .../cluster-generator.json`, found {Describe(generators)}";
        foreach (var other in silos.Except(trainers).Except(generators))
            yield return $"{other.Doc.Where}: runs `apo silo` with config \"{other.ConfigPath}\", neither cluster-trainer.json nor cluster-generator.json";
    }

    /// <summary>The orleans labels are on every silo pod, non-empty and the same for all silos (one cluster).</summary>
    public static IEnumerable<string> OrleansLabels(ManifestSet set)
    {
        var silos = Silos(set);
        foreach (var key in new[] { "orleans/serviceId", "orleans/clusterId" })
        {
            foreach (var w in silos.Where(w => string.IsNullOrWhiteSpace(w.PodLabels.GetValueOrDefault(key))))
                yield return $"{w.Doc.Where}: pod template label {key} is missing";
            var values = silos.Select(w => w.PodLabels.GetValueOrDefault(key)).Where(v => !string.IsNullOrWhiteSpace(v)).Distinct().ToList();
            if (values.Count > 1)
                yield return $"base: silo pods disagree on {key} ({string.Join(" vs ", values)}): they would form separate clusters";
        }
    }

    /// <summary>The downward-API variables, each from the right field.</summary>
    public static IEnumerable<string> DownwardApi(ManifestSet set)
    {
        foreach (var w in Silos(set))
            foreach (var (name, field) in DownwardEnv)
            {
                var actual = Workload.Env(w.SiloContainer!, name).Map("valueFrom").Map("fieldRef").Str("fieldPath");
                if (actual != field)
                    yield return $"{w.Doc.Where}: env {name} must come from fieldRef {field} (found {actual ?? "none"})";
            }
    }

    /// <summary>The silo and gateway ports the silo is told to use are the ports the container declares.</summary>
    public static IEnumerable<string> Ports(ManifestSet set)
    {
        foreach (var w in Silos(set))
            foreach (var (env, portName) in new[] { ("APO_Silo__SiloPort", "silo"), ("APO_Silo__GatewayPort", "gateway") })
            {
                var told = Workload.Env(w.SiloContainer!, env).Str("value");
                var declared = w.SiloContainer.Maps("ports").FirstOrDefault(p => p.Str("name") == portName)?.Str("containerPort");
                if (told is null || told != declared)
                    yield return $"{w.Doc.Where}: env {env}={told ?? "(unset)"} but container port \"{portName}\" is {declared ?? "(undeclared)"}";
            }
    }

    /// <summary>Generators ask for a GPU (limit, and request equal if given) and use it; the silo device is set.</summary>
    public static IEnumerable<string> Gpu(ManifestSet set)
    {
        foreach (var w in Silos(set).Where(w => w.ConfigPath?.EndsWith("/cluster-generator.json") == true))
        {
            var resources = w.SiloContainer.Map("resources");
            var limit = resources.Map("limits").Str("nvidia.com/gpu");
            var request = resources.Map("requests").Str("nvidia.com/gpu");
            if (!int.TryParse(limit, out var n) || n < 1)
                yield return $"{w.Doc.Where}: resources.limits[\"nvidia.com/gpu\"] must be at least 1 (found {limit ?? "none"})";
            else if (request is not null && request != limit)
                yield return $"{w.Doc.Where}: nvidia.com/gpu request {request} differs from limit {limit} (Kubernetes rejects that)";
            var device = Workload.Env(w.SiloContainer!, "APO_Silo__Device")?.Str("value");
            if (device is null || !device.StartsWith("cuda", StringComparison.Ordinal))
                yield return $"{w.Doc.Where}: env APO_Silo__Device must select the GPU (cuda or cuda:N), found {device ?? "none"}";
        }
    }

    /// <summary>
    /// The <c>--config</c> file is mounted from a ConfigMap generated from the silo-config file of that
    /// name, and that file's Silo section agrees with the pod (role, ServiceId, ClusterId).
    /// </summary>
    public static IEnumerable<string> ConfigFromConfigMap(ManifestSet set)
    {
        var generated = set.Kustomizations
            .SelectMany(k => k.Root.Maps("configMapGenerator").Select(g => (Kustomization: k, Name: g.Str("name"), Files: g.Strs("files"))))
            .ToList();
        foreach (var w in Silos(set))
        {
            var path = w.ConfigPath;
            var mount = w.SiloContainer.Maps("volumeMounts")
                .FirstOrDefault(m => path is not null && m.Str("mountPath") is { } mp && path.StartsWith(mp.TrimEnd('/') + "/", StringComparison.Ordinal));
            var volume = w.PodSpec.Maps("volumes").FirstOrDefault(v => v.Str("name") == mount?.Str("name"));
            var configMap = volume.Map("configMap").Str("name");
            var generator = generated.FirstOrDefault(g => g.Name == configMap && configMap is not null);
            var file = generator.Files?.FirstOrDefault(f => Path.GetFileName(f) == Path.GetFileName(path));
            if (mount is null || configMap is null || file is null)
            {
                yield return $"{w.Doc.Where}: --config {path} is not a file of a generated ConfigMap mounted in the pod " +
                             $"(mount {mount?.Str("mountPath") ?? "none"}, ConfigMap {configMap ?? "none"})";
                continue;
            }

            var json = Path.GetFullPath(Path.Combine(generator.Kustomization.Directory, file));
            if (!File.Exists(json))
                continue; // reported by StructureChecks.KustomizationFiles
            foreach (var problem in SiloJsonAgrees(w, json))
                yield return problem;
        }
    }

    /// <summary>
    /// Every silo runs under Orleans' Kubernetes hosting (env <c>APO_Silo__Kubernetes=true</c>: the silo-config
    /// files leave it off so they also run outside Kubernetes), and takes its weight versions from Azure Blob:
    /// no <c>--weights</c> directory on the command line and <c>Weights:Kind</c> = <c>azureblob</c> in its config.
    /// </summary>
    public static IEnumerable<string> KubernetesHostingAndBlobWeights(ManifestSet set)
    {
        foreach (var w in Silos(set))
        {
            var kubernetes = Workload.Env(w.SiloContainer!, "APO_Silo__Kubernetes").Str("value");
            if (!string.Equals(kubernetes, "true", StringComparison.OrdinalIgnoreCase))
                yield return $"{w.Doc.Where}: env APO_Silo__Kubernetes must be \"true\" (Orleans' Kubernetes hosting), found {kubernetes ?? "none"}";
            if (Workload.Command(w.SiloContainer!).Contains("--weights"))
                yield return $"{w.Doc.Where}: `apo silo --weights` needs a directory shared by every silo; weight versions go through Azure Blob (Weights:Kind azureblob)";
            var json = w.ConfigPath is { } path ? Path.Combine(RepoPaths.Root, "silo-config", Path.GetFileName(path)) : null;
            if (json is null || !File.Exists(json))
                continue; // reported by ConfigFromConfigMap
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            var kind = doc.RootElement.TryGetProperty("Silo", out var silo) && silo.TryGetProperty("Weights", out var weights)
                ? Read(weights, "Kind") : null;
            if (kind != "azureblob")
                yield return $"{json}: field \"Silo:Weights:Kind\" = \"{kind}\" but {w.Doc.Where} has no shared weight directory: use \"azureblob\"";
        }
    }

    /// <summary>
    /// Every silo mounts the run directories at <c>/runs</c> from one ReadWriteMany claim: generators load a run's
    /// reference from the run directory the trainer (and the client) write.
    /// </summary>
    public static IEnumerable<string> SharedRunVolume(ManifestSet set)
    {
        var claims = set.ResourcesUnder("base").Where(d => d.Kind == "PersistentVolumeClaim").ToList();
        foreach (var w in Silos(set))
        {
            var mount = w.SiloContainer.Maps("volumeMounts").FirstOrDefault(m => m.Str("mountPath") == "/runs");
            var volume = w.PodSpec.Maps("volumes").FirstOrDefault(v => v.Str("name") == mount?.Str("name"));
            var claimName = volume.Map("persistentVolumeClaim").Str("claimName");
            var claim = claims.FirstOrDefault(c => c.Name == claimName);
            if (mount is null || claim is null)
            {
                yield return $"{w.Doc.Where}: /runs must be mounted from a PersistentVolumeClaim of the base (found mount {mount?.Str("name") ?? "none"}, claim {claimName ?? "none"})";
                continue;
            }
            if (!claim.Root.Map("spec").Strs("accessModes").Contains("ReadWriteMany"))
                yield return $"{claim.Where}: claim {claimName} is mounted by every silo, so it must be ReadWriteMany";
        }
    }

    /// <summary>
    /// The client's config (silo-config/cluster-client.json, section <c>Client</c>), when present, names
    /// the cluster of the silo pods; otherwise <c>apo run --cluster</c> would find no gateway.
    /// </summary>
    public static IEnumerable<string> ClientConfigAgrees(ManifestSet set)
    {
        var json = Path.Combine(RepoPaths.Root, "silo-config", "cluster-client.json");
        var silo = Silos(set).FirstOrDefault();
        if (!File.Exists(json) || silo is null)
            yield break;
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        if (!doc.RootElement.TryGetProperty("Client", out var client))
        {
            yield return $"{json}: section \"Client\" is missing";
            yield break;
        }
        foreach (var (field, label) in new[] { ("ServiceId", "orleans/serviceId"), ("ClusterId", "orleans/clusterId") })
            if (Read(client, field) != silo.PodLabels.GetValueOrDefault(label))
                yield return $"{json}: field \"Client:{field}\" = \"{Read(client, field)}\" but the silo pods have {label}={silo.PodLabels.GetValueOrDefault(label)}";
    }

    /// <summary>The env variable that points the weight cache at its emptyDir; the TLS Secret and the folder it is mounted at.</summary>
    public const string CacheEnv = "APO_Silo__Weights__CacheDirectory", TlsSecret = "apo-tls", TlsMount = "/etc/apo-tls";

    /// <summary>The files the silo reads from <c>Tls:Directory</c>: the keys of a kubernetes.io/tls Secret plus ca.crt (cert-manager's layout).</summary>
    public static readonly string[] TlsKeys = ["tls.crt", "tls.key", "ca.crt"];

    /// <summary>Weight cache of every silo of the base.</summary>
    public static IEnumerable<string> WeightCache(ManifestSet set) => Silos(set).SelectMany(WeightCacheOf);

    /// <summary>TLS material of every silo of the base, and of the client that runs in the trainer pod.</summary>
    public static IEnumerable<string> TlsMounted(ManifestSet set) =>
        Silos(set).SelectMany(w => TlsOf(w, ConfigText(set, w), ClientConfigText()));

    /// <summary>
    /// <c>APO_Silo__Weights__CacheDirectory</c> is a folder inside (not the root of: the silo narrows it to mode 0700,
    /// which it may not do to a volume root it does not own) an emptyDir with a <c>sizeLimit</c>; every disk emptyDir
    /// of the pod has one; and the container's ephemeral-storage request and limit exist, with the limit above the
    /// emptyDirs' total (the kubelet evicts a pod whose emptyDirs and logs pass the sum of its limits).
    /// </summary>
    public static IEnumerable<string> WeightCacheOf(Workload w)
    {
        var c = w.SiloContainer;
        var dir = Workload.Env(c!, CacheEnv)?.Str("value");
        var mount = dir is null ? null : PodParts.MountHolding(c, dir);
        var volume = w.Volume(mount?.Str("name"));
        if (dir is null)
            yield return $"{w.Doc.Where}: env {CacheEnv} is unset: the weight cache would go to the read-only root's temp folder";
        else if (volume?.Has("emptyDir") != true)
            yield return $"{w.Doc.Where}: env {CacheEnv}={dir} is not inside an emptyDir mount " +
                         (PodParts.MountAt(c, dir) is { } exact ? $"(it is the root of mount {exact.Str("name")}: use a folder inside it, the silo makes it private)" : "");
        var disks = w.PodSpec.Maps("volumes").Where(v => v.Has("emptyDir") && v.Map("emptyDir").Str("medium") != "Memory").ToList();
        decimal total = 0;
        foreach (var v in disks)
        {
            var limit = Quantity.Parse(v.Map("emptyDir").Str("sizeLimit"));
            if (limit is null)
                yield return $"{w.Doc.Where}: emptyDir volume {v.Str("name")} has no sizeLimit (it could fill the node's disk)";
            total += limit ?? 0;
        }
        var request = Quantity.Parse(PodParts.Resource(c, "requests", "ephemeral-storage"));
        var max = Quantity.Parse(PodParts.Resource(c, "limits", "ephemeral-storage"));
        if (request is null || max is null)
            yield return $"{w.Doc.Where}: resources.requests and resources.limits need ephemeral-storage (found request {PodParts.Resource(c, "requests", "ephemeral-storage") ?? "none"}, limit {PodParts.Resource(c, "limits", "ephemeral-storage") ?? "none"})";
        else if (request > max)
            yield return $"{w.Doc.Where}: ephemeral-storage request {Quantity.Gi(request.Value)} is above its limit {Quantity.Gi(max.Value)}";
        else if (max <= total)
            yield return $"{w.Doc.Where}: ephemeral-storage limit {Quantity.Gi(max.Value)} is not above the emptyDirs' sizeLimits ({Quantity.Gi(total)}); " +
                         "logs count too, so the kubelet would evict the pod before the cache is full";
    }

    /// <summary>
    /// The silo's (and, for the trainer pod, the client's: <c>apo run --cluster</c> runs there) <c>Tls</c> section is
    /// enabled and its <c>Directory</c> is exactly where the pod mounts the Secret <c>apo-tls</c>: read-only, not
    /// optional, with all three keys.
    /// </summary>
    public static IEnumerable<string> TlsOf(Workload w, (string Text, string Source)? config, (string Text, string Source)? client)
    {
        var c = w.SiloContainer;
        var sections = new List<(SiloJson? Json, string Section)> { (SiloJson.Parse(config?.Text, config?.Source ?? ""), "Silo") };
        if (w.ConfigPath?.EndsWith("/cluster-trainer.json") == true)
            sections.Add((SiloJson.Parse(client?.Text, client?.Source ?? "", "Client"), "Client"));
        var folders = new HashSet<string>();
        foreach (var (json, section) in sections.Where(s => s.Json is not null))
        {
            if (json!.Bool("Tls:Enabled") != true)
                yield return $"{json.Source}: field \"{section}:Tls:Enabled\" must be true: the cluster's silos and clients speak TLS only";
            var dir = json.Str("Tls:Directory");
            if (string.IsNullOrWhiteSpace(dir))
                yield return $"{json.Source}: field \"{section}:Tls:Directory\" is unset; {w.Doc.Where} mounts the Secret {TlsSecret} at {TlsMount}";
            else
                folders.Add(dir.TrimEnd('/'));
        }
        if (folders.Count == 0)
            folders.Add(TlsMount); // no config to read: the manifests' own folder

        foreach (var folder in folders)
        {
            var mount = PodParts.MountAt(c, folder);
            var secret = w.Volume(mount?.Str("name")).Map("secret");
            if (mount is null || secret is null || secret.Str("secretName") != TlsSecret)
            {
                yield return $"{w.Doc.Where}: {folder} (Tls:Directory) must be a mount of the Secret {TlsSecret} " +
                             $"(found {(mount is null ? "no mount there" : secret is null ? $"volume {mount.Str("name")}, not a Secret" : $"Secret {secret.Str("secretName")}")})";
                continue;
            }
            if (mount.Str("readOnly") != "true")
                yield return $"{w.Doc.Where}: the mount of {TlsSecret} at {folder} must be readOnly: true";
            if (mount.Has("subPath"))
                yield return $"{w.Doc.Where}: the mount of {TlsSecret} at {folder} uses subPath, which never sees a renewed certificate";
            if (secret.Str("optional") == "true")
                yield return $"{w.Doc.Where}: Secret {TlsSecret} is optional: a silo would start without its certificate; leave it required";
            var items = secret.Maps("items").ToList();
            foreach (var key in TlsKeys)
                if (items.Count > 0 && !items.Any(i => i.Str("key") == key && i.Str("path") == key))
                    yield return $"{w.Doc.Where}: Secret volume {mount.Str("name")} lists items but not {key} at path {key}";
        }
    }

    /// <summary>The generated ConfigMap file a silo's <c>--config</c> names (full path), or null.</summary>
    public static string? ConfigFile(ManifestSet set, Workload w)
    {
        var path = w.ConfigPath;
        if (path is null)
            return null;
        var configMap = w.Volume(PodParts.MountHolding(w.SiloContainer, path)?.Str("name")).Map("configMap").Str("name");
        foreach (var k in set.Kustomizations)
            foreach (var g in k.Root.Maps("configMapGenerator").Where(g => configMap is not null && g.Str("name") == configMap))
                foreach (var f in g.Strs("files").Select(f => f.Contains('=') ? f[(f.IndexOf('=') + 1)..] : f))
                    if (Path.GetFileName(f) == Path.GetFileName(path))
                        return Path.GetFullPath(Path.Combine(k.Directory, f));
        return null;
    }

    /// <summary>The text of <see cref="ConfigFile"/> with its path from the repository root, or null.</summary>
    public static (string Text, string Source)? ConfigText(ManifestSet set, Workload w) =>
        ConfigFile(set, w) is { } f && File.Exists(f) ? (File.ReadAllText(f), Path.GetRelativePath(RepoPaths.Root, f).Replace('\\', '/')) : null;

    /// <summary>silo-config/cluster-client.json (it travels in the image; the client runs in the trainer pod), or null.</summary>
    public static (string Text, string Source)? ClientConfigText()
    {
        var f = Path.Combine(RepoPaths.Root, "silo-config", "cluster-client.json");
        return File.Exists(f) ? (File.ReadAllText(f), "silo-config/cluster-client.json") : null;
    }

    private static IEnumerable<string> SiloJsonAgrees(Workload w, string json)
    {
        JsonElement silo;
        using (var doc = JsonDocument.Parse(File.ReadAllText(json)))
        {
            if (!doc.RootElement.TryGetProperty("Silo", out var s))
            {
                yield return $"{json}: section \"Silo\" is missing";
                yield break;
            }
            silo = s.Clone();
        }
        var roles = (Read(silo, "Role") ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var wanted = Path.GetFileName(json) == "cluster-generator.json" ? "generator" : "trainer";
        var unwanted = wanted == "generator" ? "trainer" : "generator";
        if (!roles.Contains(wanted) || roles.Contains(unwanted))
            yield return $"{json}: field \"Silo:Role\" = \"{Read(silo, "Role")}\" but {w.Doc.Where} is the {wanted} silo (role {wanted} only)";
        foreach (var (field, label) in new[] { ("ServiceId", "orleans/serviceId"), ("ClusterId", "orleans/clusterId") })
            if (Read(silo, field) is { } value && value != w.PodLabels.GetValueOrDefault(label))
                yield return $"{json}: field \"Silo:{field}\" = \"{value}\" but {w.Doc.Where} has label {label}={w.PodLabels.GetValueOrDefault(label)}";
    }

    private static string? Read(JsonElement silo, string field) =>
        silo.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string Describe(List<Workload> ws) =>
        ws.Count == 0 ? "none" : string.Join(", ", ws.Select(w => $"{w.Doc.Kind} {w.Doc.Name} replicas {w.Doc.Root.Map("spec").Str("replicas") ?? "(default 1)"}"));
}

using Apo.Deploy.Tests.Manifests;

namespace Apo.Deploy.Tests.Checks;

/// <summary>What every manifest and every kustomization needs to be applied at all.</summary>
public static class StructureChecks
{
    /// <summary>apiVersion and kind everywhere; metadata.name on everything but kustomizations.</summary>
    public static IEnumerable<string> Identity(ManifestSet set)
    {
        foreach (var d in set.Docs)
        {
            if (string.IsNullOrWhiteSpace(d.Root.Str("apiVersion")))
                yield return $"{d.Where}: apiVersion is missing";
            if (string.IsNullOrWhiteSpace(d.Kind))
                yield return $"{d.Where}: kind is missing";
            if (d.Kind != "Kustomization" && string.IsNullOrWhiteSpace(d.Name))
                yield return $"{d.Where}: metadata.name is missing";
        }
    }

    /// <summary>
    /// Every file a kustomization names exists (resources: a file or a folder with a kustomization; bases: a
    /// folder with a kustomization; patches; generator files), and every YAML file beside a kustomization is
    /// used by it (an unlisted manifest is silently never deployed).
    /// </summary>
    public static IEnumerable<string> KustomizationFiles(ManifestSet set)
    {
        foreach (var k in set.Kustomizations)
        {
            var named = Named(k);
            foreach (var (field, relative) in named)
            {
                var full = Path.GetFullPath(Path.Combine(k.Directory, relative));
                var ok = field switch
                {
                    "resources" => File.Exists(full) || File.Exists(Path.Combine(full, "kustomization.yaml")),
                    "bases" => File.Exists(Path.Combine(full, "kustomization.yaml")),
                    _ => File.Exists(full),
                };
                if (!ok)
                    yield return $"{k.Where}: {field} names \"{relative}\", which does not exist ({full}{(field == "bases" ? "/kustomization.yaml" : "")})";
            }

            var used = named.Select(n => Path.GetFullPath(Path.Combine(k.Directory, n.Path))).ToHashSet();
            foreach (var file in set.Texts.Keys.Where(f => Path.GetDirectoryName(f) == k.Directory && f != k.File))
                if (!used.Contains(Path.GetFullPath(file)))
                    yield return $"{k.Where}: k8s/{Path.GetRelativePath(RepoPaths.K8s, file)} is in its folder but not listed, so it is never applied";
        }
    }

    /// <summary>
    /// kustomize's default load restrictor (every version, and <c>kubectl apply -k</c>, which cannot turn it off):
    /// a file a kustomization reads (a file resource, a patch, a generator file) must be in or below its folder.
    /// Only other kustomization folders (bases) may be elsewhere.
    /// </summary>
    public static IEnumerable<string> LoadRestrictor(ManifestSet set)
    {
        foreach (var k in set.Kustomizations)
        {
            var root = Path.GetFullPath(k.Directory).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
            foreach (var (field, relative) in Named(k))
            {
                var full = Path.GetFullPath(Path.Combine(k.Directory, relative));
                var isFolder = field == "bases" || (field == "resources" && Directory.Exists(full));
                if (!isFolder && !full.StartsWith(root, StringComparison.Ordinal))
                    yield return $"{k.Where}: {field} names \"{relative}\", which is not in or below k8s/{Path.GetRelativePath(RepoPaths.K8s, k.Directory).Replace('\\', '/')}: " +
                                 "kustomize's default load restrictor refuses it (kubectl apply -k has no switch to allow it); copy the file into the folder";
            }
        }
    }

    /// <summary>The fields kustomize v2.0 (the one inside kubectl 1.20, Debian bookworm's) knows; it refuses any other.</summary>
    public static readonly string[] PortableFields =
    [
        "apiVersion", "kind", "namespace", "namePrefix", "nameSuffix", "commonLabels", "commonAnnotations",
        "resources", "bases", "patchesStrategicMerge", "patchesJson6902", "images", "imageTags",
        "configMapGenerator", "secretGenerator", "generatorOptions", "vars", "crds", "configurations",
    ];

    /// <summary>
    /// Kustomizations build with kustomize v2.0 as well as v5: only fields both know, and folders only under
    /// <c>bases</c> (v2.0 reads only files from <c>resources</c>).
    /// </summary>
    public static IEnumerable<string> PortableKustomization(ManifestSet set)
    {
        foreach (var k in set.Kustomizations)
        {
            foreach (var key in k.Root.Children.Keys.OfType<YamlDotNet.RepresentationModel.YamlScalarNode>().Select(s => s.Value ?? ""))
                if (!PortableFields.Contains(key))
                    yield return $"{k.Where}: field `{key}` is unknown to kustomize v2.0 (kubectl 1.20), which refuses the build" +
                                 key switch
                                 {
                                     "patches" => "; use patchesStrategicMerge (v5 accepts it with a deprecation warning)",
                                     "replicas" => "; set spec.replicas in a patch instead",
                                     _ => "",
                                 };
            foreach (var r in k.Root.Strs("resources").Where(r => Directory.Exists(Path.Combine(k.Directory, r))))
                yield return $"{k.Where}: resources names the folder \"{r}\"; kustomize v2.0 reads only files there: list it under bases";
        }
    }

    /// <summary>Everything a kustomization names, with the field naming it.</summary>
    public static List<(string Field, string Path)> Named(ManifestDoc k)
    {
        var named = new List<(string Field, string Path)>();
        named.AddRange(k.Root.Strs("resources").Select(r => ("resources", r)));
        named.AddRange(k.Root.Strs("bases").Select(r => ("bases", r)));
        named.AddRange(k.Root.Maps("patches").Select(p => p.Str("path")).OfType<string>().Select(p => ("patches", p)));
        named.AddRange(k.Root.Strs("patchesStrategicMerge").Select(p => ("patchesStrategicMerge", p)));
        foreach (var gen in new[] { "configMapGenerator", "secretGenerator" })
            foreach (var g in k.Root.Maps(gen))
                named.AddRange(g.Strs("files").Concat(g.Strs("envs"))
                    .Select(f => (gen, f.Contains('=') ? f[(f.IndexOf('=') + 1)..] : f)));
        return named;
    }

    /// <summary>Each workload's selector matches its own pod labels and no other workload's pods.</summary>
    public static IEnumerable<string> Selectors(ManifestSet set)
    {
        var workloads = Workload.In(set.Resources).ToList();
        foreach (var w in workloads)
        {
            var selector = w.Doc.Root.Map("spec").Map("selector").Map("matchLabels").StrMap();
            if (selector.Count == 0)
            {
                yield return $"{w.Doc.Where}: spec.selector.matchLabels is missing";
                continue;
            }
            foreach (var (key, value) in selector)
                if (!w.PodLabels.TryGetValue(key, out var label) || label != value)
                    yield return $"{w.Doc.Where}: selector {key}={value} does not match the pod template label ({(label is null ? "absent" : $"{key}={label}")})";
            foreach (var other in workloads.Where(o => o != w && Matches(selector, o.PodLabels)))
                yield return $"{w.Doc.Where}: selector also matches the pods of {other.Doc.Where}";
        }
    }

    /// <summary>Each Service selects the pods of exactly one workload and targets ports those pods declare.</summary>
    public static IEnumerable<string> Services(ManifestSet set)
    {
        var workloads = Workload.In(set.Resources).ToList();
        foreach (var s in set.Resources.Where(d => d.Kind == "Service"))
        {
            var selector = s.Root.Map("spec").Map("selector").StrMap();
            var targets = workloads.Where(w => selector.Count > 0 && Matches(selector, w.PodLabels)).ToList();
            if (targets.Count != 1)
            {
                yield return $"{s.Where}: selector matches {targets.Count} workloads ({string.Join(", ", targets.Select(t => t.Doc.Name))}), expected exactly one";
                continue;
            }
            var ports = targets[0].Containers.SelectMany(c => c.Maps("ports")).ToList();
            foreach (var p in s.Root.Map("spec").Maps("ports"))
            {
                var target = p.Str("targetPort") ?? p.Str("port");
                if (!ports.Any(cp => cp.Str("name") == target || cp.Str("containerPort") == target))
                    yield return $"{s.Where}: targetPort {target} is not a port of {targets[0].Doc.Name}'s containers";
            }
        }
    }

    private static bool Matches(IReadOnlyDictionary<string, string> selector, IReadOnlyDictionary<string, string> labels) =>
        selector.All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value);
}

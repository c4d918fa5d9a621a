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
    /// Every file a kustomization names exists (resources: a file or a folder with a kustomization;
    /// patches; generator files), and every YAML file beside a kustomization is used by it (an
    /// unlisted manifest is silently never deployed).
    /// </summary>
    public static IEnumerable<string> KustomizationFiles(ManifestSet set)
    {
        foreach (var k in set.Kustomizations)
        {
            var named = new List<(string Field, string Path)>();
            named.AddRange(k.Root.Strs("resources").Select(r => ("resources", r)));
            named.AddRange(k.Root.Maps("patches").Select(p => p.Str("path")).OfType<string>().Select(p => ("patches", p)));
            foreach (var gen in new[] { "configMapGenerator", "secretGenerator" })
                foreach (var g in k.Root.Maps(gen))
                    named.AddRange(g.Strs("files").Concat(g.Strs("envs"))
                        .Select(f => (gen, f.Contains('=') ? f[(f.IndexOf('=') + 1)..] : f)));

            foreach (var (field, relative) in named)
            {
                var full = Path.GetFullPath(Path.Combine(k.Directory, relative));
                var ok = field == "resources"
                    ? File.Exists(full) || File.Exists(Path.Combine(full, "kustomization.yaml"))
                    : File.Exists(full);
                if (!ok)
                    yield return $"{k.Where}: {field} names \"{relative}\", which does not exist ({full})";
            }

            var used = named.Select(n => Path.GetFullPath(Path.Combine(k.Directory, n.Path))).ToHashSet();
            foreach (var file in set.Texts.Keys.Where(f => Path.GetDirectoryName(f) == k.Directory && f != k.File))
                if (!used.Contains(Path.GetFullPath(file)))
                    yield return $"{k.Where}: k8s/{Path.GetRelativePath(RepoPaths.K8s, file)} is in its folder but not listed, so it is never applied";
        }
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

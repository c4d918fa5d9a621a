using System.Text.RegularExpressions;
using Apo.Deploy.Tests.Manifests;

namespace Apo.Deploy.Tests.Checks;

/// <summary>Every overlay (a kustomization under k8s/overlays/) builds on the base and patches only what the base has.</summary>
public static partial class OverlayChecks
{
    /// <summary>The GPU overlay's folder under <c>k8s/</c>.</summary>
    public const string GpuFolder = "overlays/gpu";

    /// <summary>The overlays.</summary>
    public static IEnumerable<ManifestDoc> Overlays(ManifestSet set) =>
        set.Kustomizations.Where(k => k.RelativeFile.StartsWith("overlays/", StringComparison.Ordinal));

    /// <summary>The files an overlay patches with (full paths).</summary>
    public static IEnumerable<string> PatchPaths(ManifestDoc k) =>
        k.Root.Maps("patches").Select(p => p.Str("path")).OfType<string>().Concat(k.Root.Strs("patchesStrategicMerge"))
            .Select(p => Path.GetFullPath(Path.Combine(k.Directory, p)));

    /// <summary>
    /// The overlay builds on ../../base; when it adds objects (resources, generators) it sets the base's namespace,
    /// else they land in the current namespace and the base's pods do not get the generated names' hash suffix.
    /// It never sets another namespace (the base RoleBinding's subject names the base's).
    /// </summary>
    public static IEnumerable<string> BuildsOnBase(ManifestSet set)
    {
        var baseNs = set.KustomizationIn("base")?.Root.Str("namespace");
        foreach (var k in Overlays(set))
        {
            if (!k.Root.Strs("resources").Concat(k.Root.Strs("bases")).Contains("../../base"))
                yield return $"{k.Where}: bases (or resources) must include ../../base";
            var ns = k.Root.Str("namespace");
            var adds = k.Root.Strs("resources").Any(r => r != "../../base") || k.Root.Has("secretGenerator") || k.Root.Has("configMapGenerator");
            if (ns is not null && ns != baseNs)
                yield return $"{k.Where}: namespace {ns} differs from the base's {baseNs}, but the base RoleBinding's subject names {baseNs}";
            else if (ns is null && adds)
                yield return $"{k.Where}: adds objects but sets no namespace: they would land in the current namespace, not {baseNs}, " +
                             "and the base's pods would not find its generated Secret; set namespace: " + baseNs;
        }
    }

    /// <summary>
    /// Each patch names a base object that exists, and only containers and volumes it has (a misspelt name would
    /// silently add a container or an unmounted volume instead of changing the base's); a <c>replicas</c> entry
    /// names a workload of the base.
    /// </summary>
    public static IEnumerable<string> PatchesTargetBase(ManifestSet set)
    {
        var baseDocs = set.ResourcesUnder("base").ToList();
        foreach (var k in Overlays(set))
        {
            foreach (var full in PatchPaths(k))
                foreach (var patch in set.Docs.Where(d => Path.GetFullPath(d.File) == full))
                {
                    var target = baseDocs.FirstOrDefault(d => d.Kind == patch.Kind && d.Name == patch.Name);
                    if (target is null)
                    {
                        yield return $"{patch.Where}: patches {patch.Kind} {patch.Name}, which the base does not have";
                        continue;
                    }
                    var base_ = new Workload(target);
                    var patched = new Workload(patch);
                    var containers = base_.Containers.Select(c => c.Str("name")).ToHashSet();
                    foreach (var c in patched.Containers.Where(c => !containers.Contains(c.Str("name"))))
                        yield return $"{patch.Where}: container {c.Str("name")} is not in {target.Where} (the patch would add a container)";
                    var volumes = base_.PodSpec.Maps("volumes").Select(v => v.Str("name")).ToHashSet();
                    foreach (var v in patched.PodSpec.Maps("volumes").Where(v => !volumes.Contains(v.Str("name"))))
                        yield return $"{patch.Where}: volume {v.Str("name")} is not in {target.Where} (the patch would add an unmounted volume)";
                }
            foreach (var r in k.Root.Maps("replicas"))
                if (!baseDocs.Any(d => Workload.Kinds.Contains(d.Kind) && d.Name == r.Str("name")))
                    yield return $"{k.Where}: replicas names {r.Str("name")}, not a workload of the base";
        }
    }

    /// <summary>
    /// The GPU overlay pins the silo image by digest: an <c>images</c> entry for the base's image name with a
    /// <c>sha256:</c> digest of 64 hex digits and no tag.
    /// </summary>
    public static IEnumerable<string> GpuImageByDigest(ManifestSet set)
    {
        var k = set.KustomizationIn(GpuFolder);
        if (k is null)
        {
            yield return $"k8s/{GpuFolder}: no kustomization.yaml";
            yield break;
        }
        var baseImages = SiloPodChecks.Silos(set).Select(w => w.SiloContainer.Str("image") ?? "").Distinct().ToList();
        foreach (var image in baseImages)
        {
            var name = ImageName(image);
            var entry = k.Root.Maps("images").FirstOrDefault(i => i.Str("name") == name);
            if (entry is null)
            {
                yield return $"{k.Where}: images has no entry for {name} (the base's image {image}), so the silos would run the unpinned {image}";
                continue;
            }
            if (entry.Str("digest") is not { } digest || !Digest().IsMatch(digest))
                yield return $"{k.Where}: images entry {name} must set digest: sha256:<64 hex digits> (found {entry.Str("digest") ?? "none"})";
            if (entry.Has("newTag"))
                yield return $"{k.Where}: images entry {name} sets newTag; pin by digest only (a tag can move)";
        }
    }

    /// <summary>An image reference without tag or digest (<c>apo:cuda</c> → <c>apo</c>).</summary>
    public static string ImageName(string image)
    {
        var at = image.IndexOf('@');
        if (at >= 0)
            image = image[..at];
        var colon = image.LastIndexOf(':');
        return colon > image.LastIndexOf('/') ? image[..colon] : image;
    }

    [GeneratedRegex("^sha256:[0-9a-f]{64}$")]
    private static partial Regex Digest();
}

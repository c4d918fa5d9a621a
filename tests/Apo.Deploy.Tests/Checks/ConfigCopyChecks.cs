using Apo.Deploy.Tests.Manifests;

namespace Apo.Deploy.Tests.Checks;

/// <summary>
/// The ConfigMap's files are copies (kustomize reads nothing outside the kustomization folder) of the silo-config
/// files, which stay the one place silo settings are edited: each copy must be byte-identical to its original.
/// </summary>
public static class ConfigCopyChecks
{
    /// <summary>Every configMapGenerator file under k8s/ equals silo-config/&lt;same name&gt;; <paramref name="read"/> reads a file.</summary>
    public static IEnumerable<string> InSync(ManifestSet set, Func<string, byte[]>? read = null)
    {
        read ??= File.ReadAllBytes;
        var originals = Path.Combine(RepoPaths.Root, "silo-config");
        var k8s = Path.GetFullPath(RepoPaths.K8s) + Path.DirectorySeparatorChar;
        foreach (var k in set.Kustomizations)
            foreach (var g in k.Root.Maps("configMapGenerator"))
                foreach (var f in g.Strs("files").Select(f => f.Contains('=') ? f[(f.IndexOf('=') + 1)..] : f))
                {
                    var copy = Path.GetFullPath(Path.Combine(k.Directory, f));
                    if (!copy.StartsWith(k8s, StringComparison.Ordinal) || !File.Exists(copy))
                        continue; // reported by StructureChecks.LoadRestrictor / KustomizationFiles
                    var name = Path.GetFileName(copy);
                    var original = Path.Combine(originals, name);
                    var copyName = Path.GetRelativePath(RepoPaths.Root, copy).Replace('\\', '/');
                    if (!File.Exists(original))
                    {
                        yield return $"{k.Where}: ConfigMap {g.Str("name")} file {copyName} has no original silo-config/{name}; " +
                                     "silo settings are edited in silo-config/ and copied here";
                        continue;
                    }
                    if (!read(copy).AsSpan().SequenceEqual(read(original)))
                        yield return $"{copyName} differs from silo-config/{name}: the ConfigMap {g.Str("name")} would deploy other settings " +
                                     $"than silo-config/ holds. Copy the file: cp silo-config/{name} {copyName}";
                }
    }
}

using YamlDotNet.RepresentationModel;

namespace Apo.Deploy.Tests.Manifests;

/// <summary>A workload (Deployment, StatefulSet) with its pod template and the silo container, if any.</summary>
public sealed record Workload(ManifestDoc Doc)
{
    /// <summary>The kinds that carry a pod template.</summary>
    public static readonly string[] Kinds = ["Deployment", "StatefulSet"];

    /// <summary><c>spec.template</c>.</summary>
    public YamlMappingNode? Template => Doc.Root.Map("spec").Map("template");

    /// <summary>Pod template labels.</summary>
    public IReadOnlyDictionary<string, string> PodLabels => Template.Map("metadata").Map("labels").StrMap();

    /// <summary>Pod spec.</summary>
    public YamlMappingNode? PodSpec => Template.Map("spec");

    /// <summary>Containers of the pod.</summary>
    public IEnumerable<YamlMappingNode> Containers => PodSpec.Maps("containers");

    /// <summary>The container whose command is <c>apo silo ...</c>, or null for other workloads (Azurite).</summary>
    public YamlMappingNode? SiloContainer => Containers.FirstOrDefault(c => Command(c).Take(2).SequenceEqual(["apo", "silo"]));

    /// <summary>The value after <c>--config</c> in the silo command, or null.</summary>
    public string? ConfigPath
    {
        get
        {
            var cmd = SiloContainer is null ? [] : Command(SiloContainer);
            var i = cmd.IndexOf("--config");
            return i >= 0 && i + 1 < cmd.Count ? cmd[i + 1] : null;
        }
    }

    /// <summary><c>command</c> followed by <c>args</c>.</summary>
    public static List<string> Command(YamlMappingNode container) => [.. container.Strs("command"), .. container.Strs("args")];

    /// <summary>A container's env entry by name, or null.</summary>
    public static YamlMappingNode? Env(YamlMappingNode container, string name) =>
        container.Maps("env").FirstOrDefault(e => e.Str("name") == name);

    /// <summary>The workloads among <paramref name="docs"/>.</summary>
    public static IEnumerable<Workload> In(IEnumerable<ManifestDoc> docs) => docs.Where(d => Kinds.Contains(d.Kind)).Select(d => new Workload(d));
}

/// <summary>Pod-level lookups shared by the checks of committed and of rendered manifests.</summary>
public static class PodParts
{
    /// <summary>The pod's volume of that name, or null.</summary>
    public static YamlMappingNode? Volume(this Workload w, string? name) =>
        name is null ? null : w.PodSpec.Maps("volumes").FirstOrDefault(v => v.Str("name") == name);

    /// <summary>The container's mount at exactly <paramref name="mountPath"/>, or null.</summary>
    public static YamlMappingNode? MountAt(YamlMappingNode? container, string mountPath) =>
        container.Maps("volumeMounts").FirstOrDefault(m => m.Str("mountPath")?.TrimEnd('/') == mountPath.TrimEnd('/'));

    /// <summary>The container's mount whose folder holds <paramref name="path"/> (the deepest one), or null.</summary>
    public static YamlMappingNode? MountHolding(YamlMappingNode? container, string path) =>
        container.Maps("volumeMounts")
            .Where(m => m.Str("mountPath") is { } mp && path.StartsWith(mp.TrimEnd('/') + "/", StringComparison.Ordinal))
            .OrderByDescending(m => m.Str("mountPath")!.Length)
            .FirstOrDefault();

    /// <summary>The container's resource quantity (<c>requests</c> or <c>limits</c>), or null.</summary>
    public static string? Resource(YamlMappingNode? container, string kind, string name) =>
        container.Map("resources").Map(kind).Str(name);

    /// <summary>All containers of the pod, init containers included.</summary>
    public static IEnumerable<YamlMappingNode> AllContainers(this Workload w) =>
        w.PodSpec.Maps("initContainers").Concat(w.Containers);
}

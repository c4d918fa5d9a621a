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

using YamlDotNet.RepresentationModel;

namespace Apo.Deploy.Tests.Manifests;

/// <summary>
/// One YAML document of one file under <c>k8s/</c> (files may hold several, split by <c>---</c>), or one object
/// of a rendered kustomization (<paramref name="Origin"/> then says which build produced it).
/// </summary>
public sealed record ManifestDoc(string File, int Index, YamlMappingNode Root, string? Origin = null)
{
    /// <summary>The file relative to <c>k8s/</c>, with forward slashes.</summary>
    public string RelativeFile => Path.GetRelativePath(RepoPaths.K8s, File).Replace('\\', '/');

    /// <summary>The folder of the file.</summary>
    public string Directory => Path.GetDirectoryName(File)!;

    /// <summary><c>kind</c>, or empty.</summary>
    public string Kind => Root.Str("kind") ?? "";

    /// <summary><c>metadata.name</c>, or empty.</summary>
    public string Name => Root.Map("metadata")?.Str("name") ?? "";

    /// <summary>Where problems are reported: file (or build), document number, kind and name.</summary>
    public string Where => (Origin is null
        ? $"k8s/{RelativeFile} document {Index + 1} ({Kind} {Name})"
        : $"{Origin} object {Index + 1} ({Kind} {Name})").Replace(" )", ")");
}

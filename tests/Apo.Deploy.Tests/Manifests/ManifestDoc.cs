using YamlDotNet.RepresentationModel;

namespace Apo.Deploy.Tests.Manifests;

/// <summary>One YAML document of one file under <c>k8s/</c> (files may hold several, split by <c>---</c>).</summary>
public sealed record ManifestDoc(string File, int Index, YamlMappingNode Root)
{
    /// <summary>The file relative to <c>k8s/</c>, with forward slashes.</summary>
    public string RelativeFile => Path.GetRelativePath(RepoPaths.K8s, File).Replace('\\', '/');

    /// <summary>The folder of the file.</summary>
    public string Directory => Path.GetDirectoryName(File)!;

    /// <summary><c>kind</c>, or empty.</summary>
    public string Kind => Root.Str("kind") ?? "";

    /// <summary><c>metadata.name</c>, or empty.</summary>
    public string Name => Root.Map("metadata")?.Str("name") ?? "";

    /// <summary>Where problems are reported: file, document number, kind and name.</summary>
    public string Where => $"k8s/{RelativeFile} document {Index + 1} ({Kind} {Name})".Replace(" )", ")");
}

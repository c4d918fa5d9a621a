using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Apo.Deploy.Tests.Manifests;

/// <summary>
/// Every YAML document of every <c>*.yaml</c>/<c>*.yml</c> file under a folder (by default <c>k8s/</c>),
/// parsed with YamlDotNet. <paramref name="rewrite"/> lets a test break a file's text before parsing.
/// </summary>
public sealed class ManifestSet
{
    /// <summary>All documents, in file then document order.</summary>
    public IReadOnlyList<ManifestDoc> Docs { get; }

    /// <summary>The raw text of each file (after <c>rewrite</c>), by full path.</summary>
    public IReadOnlyDictionary<string, string> Texts { get; }

    private ManifestSet(IReadOnlyList<ManifestDoc> docs, IReadOnlyDictionary<string, string> texts) => (Docs, Texts) = (docs, texts);

    /// <summary>Loads the manifests under <c>k8s/</c>.</summary>
    public static ManifestSet Load(Func<string, string, string>? rewrite = null) => Load(RepoPaths.K8s, rewrite);

    /// <summary>Loads the manifests under <paramref name="folder"/>; bad YAML throws naming the file and line.</summary>
    public static ManifestSet Load(string folder, Func<string, string, string>? rewrite)
    {
        var docs = new List<ManifestDoc>();
        var texts = new Dictionary<string, string>();
        var files = Directory.EnumerateFiles(folder, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            var relative = Path.GetRelativePath(RepoPaths.K8s, file).Replace('\\', '/');
            text = rewrite?.Invoke(relative, text) ?? text;
            texts[file] = text;
            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(text));
            }
            catch (YamlException e)
            {
                throw new InvalidDataException($"k8s/{relative} line {e.Start.Line}: not valid YAML ({e.Message})", e);
            }
            for (var i = 0; i < stream.Documents.Count; i++)
            {
                if (stream.Documents[i].RootNode is not YamlMappingNode root)
                    throw new InvalidDataException($"k8s/{relative} document {i + 1}: not a mapping");
                docs.Add(new ManifestDoc(file, i, root));
            }
        }
        return new ManifestSet(docs, texts);
    }

    /// <summary>Documents of a kind.</summary>
    public IEnumerable<ManifestDoc> OfKind(string kind) => Docs.Where(d => d.Kind == kind);

    /// <summary>The kustomization files.</summary>
    public IEnumerable<ManifestDoc> Kustomizations => OfKind("Kustomization");

    /// <summary>Full paths of the files a kustomization lists under <c>patches</c> (partial objects, not resources).</summary>
    public ISet<string> PatchFiles => Kustomizations
        .SelectMany(k => k.Root.Maps("patches").Select(p => p.Str("path")).Concat(k.Root.Strs("patchesStrategicMerge"))
            .Where(p => p is not null).Select(p => Path.GetFullPath(Path.Combine(k.Directory, p!))))
        .ToHashSet();

    /// <summary>Documents that are real objects: not kustomizations, not patches.</summary>
    public IEnumerable<ManifestDoc> Resources
    {
        get
        {
            var patches = PatchFiles;
            return Docs.Where(d => d.Kind != "Kustomization" && !patches.Contains(Path.GetFullPath(d.File)));
        }
    }

    /// <summary>Resource documents under a folder of <c>k8s/</c> (e.g. <c>base</c>).</summary>
    public IEnumerable<ManifestDoc> ResourcesUnder(string relativeFolder) =>
        Resources.Where(d => d.RelativeFile.StartsWith(relativeFolder.TrimEnd('/') + "/", StringComparison.Ordinal));

    /// <summary>The kustomization in a folder of <c>k8s/</c>, or null.</summary>
    public ManifestDoc? KustomizationIn(string relativeFolder) =>
        Kustomizations.FirstOrDefault(k => Path.GetDirectoryName(k.RelativeFile)!.Replace('\\', '/') == relativeFolder.TrimEnd('/'));
}

using YamlDotNet.RepresentationModel;

namespace Apo.Deploy.Tests.Manifests;

/// <summary>Null-tolerant navigation of parsed YAML (a missing key answers null, never throws).</summary>
public static class YamlNav
{
    /// <summary>The child mapping at <paramref name="key"/>, or null.</summary>
    public static YamlMappingNode? Map(this YamlMappingNode? node, string key) => Child(node, key) as YamlMappingNode;

    /// <summary>The child sequence at <paramref name="key"/>, or null.</summary>
    public static YamlSequenceNode? Seq(this YamlMappingNode? node, string key) => Child(node, key) as YamlSequenceNode;

    /// <summary>The scalar at <paramref name="key"/> as text, or null.</summary>
    public static string? Str(this YamlMappingNode? node, string key) => (Child(node, key) as YamlScalarNode)?.Value;

    /// <summary>The mappings of the sequence at <paramref name="key"/> (empty when absent).</summary>
    public static IEnumerable<YamlMappingNode> Maps(this YamlMappingNode? node, string key) =>
        node.Seq(key)?.Children.OfType<YamlMappingNode>() ?? [];

    /// <summary>The scalars of the sequence at <paramref name="key"/> (empty when absent).</summary>
    public static IReadOnlyList<string> Strs(this YamlMappingNode? node, string key) =>
        node.Seq(key)?.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? "").ToList() ?? [];

    /// <summary>A mapping of scalars as a dictionary (e.g. labels); empty when absent.</summary>
    public static IReadOnlyDictionary<string, string> StrMap(this YamlMappingNode? node) =>
        node?.Children
            .Where(kv => kv.Key is YamlScalarNode && kv.Value is YamlScalarNode)
            .ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => ((YamlScalarNode)kv.Value).Value ?? "")
        ?? new Dictionary<string, string>();

    /// <summary>Whether <paramref name="node"/> has a key <paramref name="key"/> (even with a null value).</summary>
    public static bool Has(this YamlMappingNode? node, string key) => Child(node, key) is not null;

    /// <summary>Every scalar value below <paramref name="node"/>, depth first.</summary>
    public static IEnumerable<string> AllScalars(this YamlNode node) => node switch
    {
        YamlScalarNode s => s.Value is null ? [] : [s.Value],
        YamlSequenceNode q => q.Children.SelectMany(AllScalars),
        YamlMappingNode m => m.Children.SelectMany(kv => kv.Key.AllScalars().Concat(kv.Value.AllScalars())),
        _ => [],
    };

    private static YamlNode? Child(YamlMappingNode? node, string key) =>
        node is not null && node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;
}

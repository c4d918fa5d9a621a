using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Apo.Engine.Presets;

/// <summary>
/// JSON form of <see cref="EmbeddedPreset"/> (camelCase, enums as names). A config file may hold
/// only the knobs it changes: <see cref="Overlay"/> lays it over a baseline preset, so
/// <c>{"stageTwo": {"beta2": 0.02}}</c> changes β2 alone. Unknown knobs are an error (a typo must not
/// silently do nothing).
/// </summary>
public static class EmbeddedPresetJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static string Serialize(EmbeddedPreset preset) => JsonSerializer.Serialize(preset, Options);

    /// <summary>A complete preset from JSON (missing knobs take the property defaults), validated.</summary>
    public static EmbeddedPreset Deserialize(string json, string source = "preset") =>
        Checked(() => JsonSerializer.Deserialize<EmbeddedPreset>(json, Options), source);

    /// <summary>
    /// <paramref name="baseline"/> with every knob present in <paramref name="json"/> replaced (objects
    /// merge recursively, arrays and values replace), validated. <paramref name="source"/> names the file in errors.
    /// </summary>
    public static EmbeddedPreset Overlay(EmbeddedPreset baseline, string json, string source = "config")
    {
        JsonNode? patch;
        try
        {
            patch = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source} line {(e.LineNumber ?? 0) + 1}: malformed JSON: {e.Message}", e);
        }
        if (patch is not JsonObject patchObject) throw new InvalidDataException($"{source}: expected a JSON object at the top level");
        var merged = JsonSerializer.SerializeToNode(baseline, Options)!.AsObject();
        Merge(merged, patchObject);
        return Checked(() => merged.Deserialize<EmbeddedPreset>(Options), source);
    }

    /// <summary>Reads <paramref name="path"/> and overlays it on <paramref name="baseline"/>.</summary>
    public static EmbeddedPreset Load(string path, EmbeddedPreset baseline)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: config file not found", path);
        return Overlay(baseline, File.ReadAllText(path), path);
    }

    static void Merge(JsonObject target, JsonObject patch)
    {
        foreach (var (name, value) in patch.ToList())
        {
            if (value is JsonObject child && target[name] is JsonObject existing) Merge(existing, child);
            else target[name] = value?.DeepClone();
        }
    }

    static EmbeddedPreset Checked(Func<EmbeddedPreset?> read, string source)
    {
        EmbeddedPreset? preset;
        try { preset = read(); }
        catch (JsonException e)
        {
            string where = e.Path is null ? "" : $" at {e.Path}";
            throw new InvalidDataException($"{source}{where}: {e.Message}", e);
        }
        if (preset is null) throw new InvalidDataException($"{source}: the preset is null");
        preset.Validate(source);
        return preset;
    }
}

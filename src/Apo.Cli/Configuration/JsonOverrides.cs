using System.Text.Json;
using System.Text.Json.Nodes;

namespace Apo.Cli.Configuration;

/// <summary>
/// Applies a JSON file of overrides to a settings record: every field the file names replaces the
/// preset's value (nested objects merge field by field), everything else keeps the preset's. A
/// field the settings do not have is an error naming the file and the field's path, so a typo
/// never silently leaves a knob at its default.
/// </summary>
public static class JsonOverrides
{
    public static T Apply<T>(T baseline, string overridesPath, JsonSerializerOptions options)
    {
        if (!File.Exists(overridesPath)) throw new FileNotFoundException($"{overridesPath}: config file not found", overridesPath);
        JsonNode? overrides;
        try
        {
            overrides = JsonNode.Parse(File.ReadAllText(overridesPath), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{overridesPath}: not valid JSON ({e.Message})");
        }
        if (overrides is not JsonObject overrideObject) throw new InvalidDataException($"{overridesPath}: expected a JSON object of settings");
        var merged = JsonSerializer.SerializeToNode(baseline, options)!.AsObject();
        Merge(merged, overrideObject, overridesPath, "");
        try
        {
            return merged.Deserialize<T>(options) ?? throw new InvalidDataException($"{overridesPath}: settings are null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{overridesPath}: {(e.Path is { } p ? $"field \"{p.TrimStart('$', '.')}\": " : "")}{e.Message}");
        }
    }

    static void Merge(JsonObject target, JsonObject overrides, string file, string path)
    {
        foreach (var (key, value) in overrides)
        {
            string fieldPath = path.Length == 0 ? key : $"{path}.{key}";
            if (!target.ContainsKey(key))
                throw new InvalidDataException($"{file}: unknown field \"{fieldPath}\" (known here: {string.Join(", ", target.Select(p => p.Key))})");
            if (target[key] is JsonObject inner && value is JsonObject innerOverrides)
                Merge(inner, innerOverrides, file, fieldPath);
            else
                target[key] = value?.DeepClone();
        }
    }
}

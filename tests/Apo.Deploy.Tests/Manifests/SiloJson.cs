using System.Text.Json;

namespace Apo.Deploy.Tests.Manifests;

/// <summary>Fields of a silo-config file (section <c>Silo</c> or <c>Client</c>) by <c>:</c>-separated path.</summary>
public sealed class SiloJson
{
    private readonly JsonElement section;

    /// <summary>Where the text came from, for messages.</summary>
    public string Source { get; }

    private SiloJson(JsonElement section, string source) => (this.section, Source) = (section, source);

    /// <summary>The section of the file's text, or null when the text is absent, not JSON, or lacks the section.</summary>
    public static SiloJson? Parse(string? text, string source, string sectionName = "Silo")
    {
        if (text is null)
            return null;
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.TryGetProperty(sectionName, out var s) ? new SiloJson(s.Clone(), source) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The element at a path such as <c>Health:Port</c>, or null.</summary>
    public JsonElement? At(string path)
    {
        var e = section;
        foreach (var part in path.Split(':'))
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(part, out e))
                return null;
        return e;
    }

    /// <summary>A string field, or null.</summary>
    public string? Str(string path) => At(path) is { ValueKind: JsonValueKind.String } e ? e.GetString() : null;

    /// <summary>A whole-number field, or null.</summary>
    public int? Int(string path) => At(path) is { ValueKind: JsonValueKind.Number } e && e.TryGetInt32(out var n) ? n : null;

    /// <summary>A boolean field, or null.</summary>
    public bool? Bool(string path) => At(path) is { ValueKind: JsonValueKind.True or JsonValueKind.False } e ? e.GetBoolean() : null;
}

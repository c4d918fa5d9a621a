using System.Text.Json;

namespace Apo.Model.Text;

/// <summary>Reads the JSON files of a tokenizer directory, turning every problem into an error that names the file.</summary>
internal static class TokenizerJson
{
    /// <summary>Parses a JSON file; a syntax error names the file and line.</summary>
    public static JsonDocument Parse(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        try
        {
            return JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} line {(e.LineNumber ?? 0) + 1}: malformed JSON ({FirstSentence(e.Message)})", e);
        }
    }

    /// <summary>A property that must be there, of the given kind.</summary>
    public static JsonElement Required(JsonElement parent, string name, JsonValueKind kind, string path, string where)
    {
        if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(name, out JsonElement value))
            throw new InvalidDataException($"{path}: field \"{Join(where, name)}\" is missing");
        if (value.ValueKind != kind)
            throw new InvalidDataException($"{path}: field \"{Join(where, name)}\" should be {Describe(kind)}, not {Describe(value.ValueKind)}");
        return value;
    }

    /// <summary>A string → integer id object, such as vocab.json or tokenizer.json's model.vocab.</summary>
    public static Dictionary<string, int> ReadVocabulary(JsonElement vocab, string path, string where)
    {
        if (vocab.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{path}: {Name(where)} should be an object of token → id, not {Describe(vocab.ValueKind)}");
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (JsonProperty entry in vocab.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out int id))
                throw new InvalidDataException($"{path}: {Name(where)} entry \"{entry.Name}\" should have an integer id, not {entry.Value.GetRawText()}");
            if (!result.TryAdd(entry.Name, id))
                throw new InvalidDataException($"{path}: {Name(where)} lists token \"{entry.Name}\" twice");
        }
        if (result.Count == 0) throw new InvalidDataException($"{path}: {Name(where)} is empty");
        return result;
    }

    /// <summary>A token given as a plain string or as a serialized AddedToken object with "content"; null when absent or null.</summary>
    public static string? OptionalTokenName(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind == JsonValueKind.String) return value.GetString();
        if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("content", out JsonElement content) && content.ValueKind == JsonValueKind.String)
            return content.GetString();
        throw new InvalidDataException($"{path}: field \"{name}\" should be a token string or an object with \"content\", not {value.GetRawText()}");
    }

    public static bool OptionalBool(JsonElement parent, string name, bool fallback, string path, string where)
    {
        if (!parent.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null) return fallback;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new InvalidDataException($"{path}: field \"{Join(where, name)}\" should be true or false, not {value.GetRawText()}"),
        };
    }

    private static string Join(string where, string name) => where.Length == 0 ? name : where + "." + name;

    private static string Name(string where) => where.Length == 0 ? "the file" : $"\"{where}\"";

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static string FirstSentence(string message)
    {
        int cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).Trim();
    }
}

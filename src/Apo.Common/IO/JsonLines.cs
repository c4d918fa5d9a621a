using System.Text.Json;
using System.Text.Json.Nodes;

namespace Apo.Common.IO;

/// <summary>One non-blank line of a JSON Lines file, with its 1-based line number.</summary>
public sealed record JsonLine(string File, int Line, JsonObject Row)
{
    /// <summary>"file line N" — the prefix of every message about this line.</summary>
    public string Where => $"{File} line {Line}";

    public string RequiredString(string field) =>
        Row[field] is JsonValue v && v.TryGetValue(out string? s) ? s
        : throw new InvalidDataException($"{Where}: field \"{field}\" is {(Row.ContainsKey(field) ? "not a string" : "missing")}");

    public int[] RequiredIntArray(string field)
    {
        if (Row[field] is not JsonArray array)
            throw new InvalidDataException($"{Where}: field \"{field}\" is {(Row.ContainsKey(field) ? "not an array of integers" : "missing")}");
        var result = new int[array.Count];
        for (int i = 0; i < array.Count; i++)
            result[i] = array[i] is JsonValue v && v.TryGetValue(out int n) ? n
                : throw new InvalidDataException($"{Where}: field \"{field}\"[{i}] is not an integer");
        return result;
    }
}

/// <summary>Reads JSON Lines strictly: every non-blank line must be a JSON object, or the error names the line.</summary>
public static class JsonLines
{
    public static IReadOnlyList<JsonLine> ReadAll(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);
        var lines = new List<JsonLine>();
        int number = 0;
        foreach (string text in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            JsonNode? node;
            try
            {
                node = JsonNode.Parse(text);
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path} line {number}: not valid JSON ({e.Message})");
            }
            if (node is not JsonObject row) throw new InvalidDataException($"{path} line {number}: expected a JSON object");
            // JsonNode parses lazily: a duplicate key would only throw (an ArgumentException, not bad input) when a field
            // is first read. Touch every property now so the error names this line.
            try { _ = row.Count; }
            catch (ArgumentException e) { throw new InvalidDataException($"{path} line {number}: a key appears twice ({e.Message})"); }
            lines.Add(new JsonLine(path, number, row));
        }
        return lines;
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;

namespace Apo.Tasks.Data;

/// <summary>Reads a JSON Lines file into rows; blank lines are allowed and ignored.</summary>
internal static class JsonlSource
{
    public static SourceTable Load(string path)
    {
        var rows = new List<SourceRow>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            rows.Add(ParseLine(line, $"line {lineNumber}"));
        }
        if (rows.Count == 0) throw new InvalidDataException($"{path}: file is empty");
        return new SourceTable(rows, null);
    }

    private static SourceRow ParseLine(string line, string location)
    {
        try
        {
            var node = JsonNode.Parse(line);
            if (node is not JsonObject obj)
                return new SourceRow(location, null, $"expected a JSON object, got {Describe(node)}");
            // Touch every property now so duplicate keys fail here, as a parse error of this line.
            _ = obj.Count;
            foreach (var _ in obj) { }
            return new SourceRow(location, obj, null);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            return new SourceRow(location, null, $"invalid JSON: {e.Message}");
        }
    }

    private static string Describe(JsonNode? node) => node is null ? "null" : node.GetValueKind().ToString().ToLowerInvariant();
}

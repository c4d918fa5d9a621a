using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Apo.Tasks.Data;

/// <summary>Typed access to row fields; every failure names the field (dotted path for nested ones).</summary>
internal static class RowFields
{
    public static bool Has(JsonObject row, string name) => row.ContainsKey(name);

    public static string RequireString(JsonObject row, string name, string? label = null)
    {
        label ??= name;
        if (!row.TryGetPropertyValue(name, out var node)) throw RowError.Missing(label);
        return AsString(node, label);
    }

    public static string? OptionalString(JsonObject row, string name, string? label = null)
    {
        label ??= name;
        return row.TryGetPropertyValue(name, out var node) && node is not null ? AsString(node, label) : null;
    }

    /// <summary>A string, or a number written in invariant form (ids and ground truths are sometimes stored as numbers).</summary>
    public static string? OptionalStringOrNumber(JsonObject row, string name, string label)
    {
        if (!row.TryGetPropertyValue(name, out var node) || node is null) return null;
        return node.GetValueKind() switch
        {
            JsonValueKind.String => node.GetValue<string>(),
            JsonValueKind.Number => NumberText(node),
            var kind => throw new RowError($"field \"{label}\" must be a string or a number, got {Kind(kind)}"),
        };
    }

    public static JsonObject RequireObject(JsonObject row, string name, string? label = null)
    {
        label ??= name;
        if (!row.TryGetPropertyValue(name, out var node)) throw RowError.Missing(label);
        return node as JsonObject ?? throw WrongType(label, "an object", node);
    }

    public static JsonObject? OptionalObject(JsonObject row, string name, string? label = null)
    {
        label ??= name;
        if (!row.TryGetPropertyValue(name, out var node) || node is null) return null;
        return node as JsonObject ?? throw WrongType(label, "an object", node);
    }

    public static JsonArray RequireArray(JsonObject row, string name, string? label = null)
    {
        label ??= name;
        if (!row.TryGetPropertyValue(name, out var node)) throw RowError.Missing(label);
        return node as JsonArray ?? throw WrongType(label, "a list", node);
    }

    /// <summary>A finite number; booleans count as 0/1 because reward columns are sometimes stored as bool.</summary>
    public static double RequireNumber(JsonObject row, string name, string? label = null)
    {
        label ??= name;
        if (!row.TryGetPropertyValue(name, out var node)) throw RowError.Missing(label);
        double value = node?.GetValueKind() switch
        {
            JsonValueKind.Number => double.Parse(NumberText(node), NumberStyles.Float, CultureInfo.InvariantCulture),
            JsonValueKind.True => 1.0,
            JsonValueKind.False => 0.0,
            _ => throw WrongType(label, "a number", node),
        };
        if (!double.IsFinite(value)) throw new RowError($"field \"{label}\" must be a finite number, got {value.ToString(CultureInfo.InvariantCulture)}");
        return value;
    }

    public static string AsString(JsonNode? node, string label) =>
        node?.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : throw WrongType(label, "a string", node);

    private static string NumberText(JsonNode node)
    {
        // Values parsed from JSON text are JsonElements; values built from Parquet hold CLR numbers.
        if (node is JsonValue v)
        {
            if (v.TryGetValue<JsonElement>(out var element)) return element.GetRawText();
            if (v.TryGetValue<long>(out var l)) return l.ToString(CultureInfo.InvariantCulture);
            if (v.TryGetValue<ulong>(out var u)) return u.ToString(CultureInfo.InvariantCulture);
            if (v.TryGetValue<double>(out var d)) return d.ToString("R", CultureInfo.InvariantCulture);
            if (v.TryGetValue<decimal>(out var m)) return m.ToString(CultureInfo.InvariantCulture);
        }
        return node.ToJsonString();
    }

    private static RowError WrongType(string label, string expected, JsonNode? node) =>
        node is null
            ? new RowError($"field \"{label}\" is null, expected {expected}")
            : new RowError($"field \"{label}\" must be {expected}, got {Kind(node.GetValueKind())}");

    private static string Kind(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString(),
    };
}

using System.Collections;
using System.Text;
using System.Text.Json.Nodes;
using Parquet.Schema;
using Parquet.Serialization;

namespace Apo.Tasks.Data;

/// <summary>
/// Reads a Parquet file (as written by pandas/pyarrow, Hugging Face datasets or Parquet.Net)
/// into rows. Structs become objects, lists become arrays, so nested verl columns
/// (<c>prompt</c>, <c>reward_model</c>, <c>extra_info</c>) read like their JSON equivalent.
/// </summary>
internal static class ParquetSource
{
    public static async Task<SourceTable> LoadAsync(string path, CancellationToken cancellationToken)
    {
        if (new FileInfo(path).Length == 0) throw new InvalidDataException($"{path}: file is empty");
        DeserializationResult<Dictionary<string, object>> result;
        try
        {
            await using var stream = File.OpenRead(path);
            result = await ParquetSerializer.DeserializeUntypedAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidDataException($"{path}: not a readable Parquet file ({e.Message})", e);
        }

        var columns = result.Schema.Fields.Select(f => f.Name).ToList();
        if (result.Data.Count == 0) throw new InvalidDataException($"{path}: Parquet file has no rows");
        var rows = new List<SourceRow>(result.Data.Count);
        for (var i = 0; i < result.Data.Count; i++)
            rows.Add(new SourceRow($"row {i + 1}", ToObject(result.Data[i], result.Schema.Fields), null));
        return new SourceTable(rows, columns);
    }

    /// <summary>Maps Parquet.Net's untyped values onto a JSON tree.</summary>
    internal static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        string s => JsonValue.Create(s),
        ReadOnlyMemory<char> m => JsonValue.Create(m.ToString()),
        bool b => JsonValue.Create(b),
        byte[] bytes => JsonValue.Create(Encoding.UTF8.GetString(bytes)),
        sbyte or byte or short or ushort or int or uint or long => JsonValue.Create(Convert.ToInt64(value)),
        ulong u => JsonValue.Create(u),
        float f => JsonValue.Create((double)f),
        double d => JsonValue.Create(d),
        decimal m => JsonValue.Create(m),
        IDictionary<string, object> dict => ToObject(dict),
        IEnumerable list => ToArray(list),
        IFormattable f => JsonValue.Create(f.ToString(null, System.Globalization.CultureInfo.InvariantCulture)),
        _ => JsonValue.Create(value.ToString()),
    };

    /// <summary>
    /// Walks the schema, not just the values: Parquet.Net leaves null fields out of its
    /// dictionaries, and a null must read as "is null", not "is missing".
    /// </summary>
    private static JsonObject ToObject(IDictionary<string, object> dict, IEnumerable<Field> fields)
    {
        var obj = new JsonObject();
        foreach (var field in fields)
            obj[field.Name] = dict.TryGetValue(field.Name, out var v) ? ToNode(v, field) : null;
        return obj;
    }

    private static JsonNode? ToNode(object? value, Field field) => (field, value) switch
    {
        (StructField s, IDictionary<string, object> dict) => ToObject(dict, s.Fields),
        (ListField l, IEnumerable list) when value is not string => ToArray(list, l.Item),
        _ => ToNode(value),
    };

    private static JsonArray ToArray(IEnumerable list, Field item)
    {
        var array = new JsonArray();
        foreach (var v in list) array.Add(ToNode(v, item));
        return array;
    }

    private static JsonObject ToObject(IDictionary<string, object> dict)
    {
        var obj = new JsonObject();
        foreach (var (key, v) in dict) obj[key] = ToNode(v);
        return obj;
    }

    private static JsonArray ToArray(IEnumerable list)
    {
        var array = new JsonArray();
        foreach (var v in list) array.Add(ToNode(v));
        return array;
    }
}

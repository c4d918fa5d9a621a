using Parquet.Schema;
using Parquet.Serialization;

namespace Apo.Tasks.Tests.Data;

/// <summary>
/// Writes Parquet files shaped like verl's preprocessing output (pandas/pyarrow: list of
/// struct for <c>prompt</c>, structs for <c>reward_model</c> and <c>extra_info</c>), optionally
/// with A*-PO stage-1 columns, directly with Parquet.Net (independent of the code under test).
/// </summary>
internal static class VerlParquet
{
    public sealed record Row(string DataSource, string Content, string? GroundTruth, string Question, long Index,
        string[]? Responses = null, double[]? Evals = null, string Role = "user");

    public static ParquetSchema Schema(int samples, bool evalsAsLong = false, bool withRewardModel = true)
    {
        var fields = new List<Field>
        {
            new DataField<string>("data_source"),
            new ListField("prompt", new StructField("element", new DataField<string>("role"), new DataField<string>("content"))),
            new DataField<string>("ability"),
        };
        if (withRewardModel) fields.Add(new StructField("reward_model", new DataField<string>("style"), new DataField<string>("ground_truth")));
        fields.Add(new StructField("extra_info", new DataField<string>("split"), new DataField<long>("index"),
            new DataField<string>("answer"), new DataField<string>("question")));
        for (var i = 0; i < samples; i++) fields.Add(new DataField<string>($"response_{i}"));
        for (var i = 0; i < samples; i++) fields.Add(evalsAsLong ? new DataField<long>($"eval_{i}") : new DataField<double>($"eval_{i}"));
        return new ParquetSchema(fields);
    }

    public static void Write(string path, IEnumerable<Row> rows, int samples = 0, bool evalsAsLong = false, bool withRewardModel = true)
    {
        var data = rows.Select(r =>
        {
            var d = new Dictionary<string, object?>
            {
                ["data_source"] = r.DataSource,
                ["prompt"] = new List<Dictionary<string, object?>> { new() { ["role"] = r.Role, ["content"] = r.Content } },
                ["ability"] = "math",
                ["extra_info"] = new Dictionary<string, object?> { ["split"] = "train", ["index"] = r.Index, ["answer"] = "…", ["question"] = r.Question },
            };
            if (withRewardModel) d["reward_model"] = new Dictionary<string, object?> { ["style"] = "rule", ["ground_truth"] = r.GroundTruth };
            for (var i = 0; i < samples; i++)
            {
                d[$"response_{i}"] = r.Responses![i];
                d[$"eval_{i}"] = evalsAsLong ? (object)(long)r.Evals![i] : r.Evals![i];
            }
            return (IDictionary<string, object?>)d;
        }).ToList();
        using var stream = File.Create(path);
        ParquetSerializer.SerializeUntypedAsync(data, Schema(samples, evalsAsLong, withRewardModel), stream).GetAwaiter().GetResult();
    }
}

using Apo.Common.IO;
using System.Text.Encodings.Web;
using System.Text.Json;
using Parquet.Schema;
using Parquet.Serialization;

namespace Apo.Tasks.Data;

/// <summary>
/// Writes datasets atomically: raw GSM8K JSONL (format a) and A*-PO stage-1 exports (format d)
/// as JSONL or Parquet. Stage-1 exports use verl's columns (<c>data_source</c>, <c>prompt</c>,
/// <c>ability</c>, <c>reward_model</c>, <c>extra_info</c>) plus <c>response_i</c>/<c>eval_i</c>,
/// the layout the authors' training code loads, and <c>extra_info</c> keeps id, question and
/// task so <see cref="DatasetReader"/> reads back exactly the same examples.
/// </summary>
public static class DatasetWriter
{
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes <c>{"question": ..., "answer": ...}</c> lines.</summary>
    public static void WriteGsm8kJsonl(string path, IEnumerable<Gsm8kRow> rows)
    {
        var list = rows.ToList();
        if (list.Count == 0) throw new ArgumentException("nothing to write: no rows", nameof(rows));
        AtomicFile.Write(path, stream =>
        {
            foreach (var row in list)
                WriteLine(stream, w =>
                {
                    w.WriteString("question", row.Question);
                    w.WriteString("answer", row.Answer);
                });
        });
    }

    /// <summary>Writes a stage-1 export; <c>.parquet</c> paths get Parquet, anything else JSONL.</summary>
    public static void WriteStageOne(string path, IEnumerable<PromptExample> examples)
    {
        if (path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase)) WriteStageOneParquet(path, examples);
        else WriteStageOneJsonl(path, examples);
    }

    /// <summary>Writes a stage-1 export as JSON lines (verl row layout plus <c>response_i</c>, <c>eval_i</c>).</summary>
    public static void WriteStageOneJsonl(string path, IEnumerable<PromptExample> examples)
    {
        var list = examples.ToList();
        var n = SamplesPerPrompt(list);
        AtomicFile.Write(path, stream =>
        {
            for (var index = 0; index < list.Count; index++)
            {
                var e = list[index];
                WriteLine(stream, w =>
                {
                    w.WriteString("data_source", e.DataSource);
                    w.WriteStartArray("prompt");
                    w.WriteStartObject();
                    w.WriteString("role", "user");
                    w.WriteString("content", e.Prompt);
                    w.WriteEndObject();
                    w.WriteEndArray();
                    w.WriteString("ability", "math");
                    w.WriteStartObject("reward_model");
                    w.WriteString("style", "rule");
                    w.WriteString("ground_truth", e.GroundTruth);
                    w.WriteEndObject();
                    w.WriteStartObject("extra_info");
                    w.WriteString("id", e.Id);
                    w.WriteNumber("index", index);
                    w.WriteString("question", e.Question);
                    w.WriteString("task", e.Task);
                    w.WriteEndObject();
                    for (var i = 0; i < n; i++) w.WriteString(StageOneColumns.Response(i), e.StageOne![i].Response);
                    for (var i = 0; i < n; i++) w.WriteNumber(StageOneColumns.Eval(i), e.StageOne![i].Reward);
                });
            }
        });
    }

    /// <summary>Writes a stage-1 export as Parquet with nested verl columns (list of struct, structs).</summary>
    public static void WriteStageOneParquet(string path, IEnumerable<PromptExample> examples) =>
        Task.Run(() => WriteStageOneParquetAsync(path, examples)).GetAwaiter().GetResult();

    /// <summary>Asynchronous form of <see cref="WriteStageOneParquet"/>.</summary>
    public static async Task WriteStageOneParquetAsync(string path, IEnumerable<PromptExample> examples, CancellationToken cancellationToken = default)
    {
        var list = examples.ToList();
        var n = SamplesPerPrompt(list);
        var fields = new List<Field>
        {
            new DataField<string>("data_source"),
            new ListField("prompt", new StructField("element", new DataField<string>("role"), new DataField<string>("content"))),
            new DataField<string>("ability"),
            new StructField("reward_model", new DataField<string>("style"), new DataField<string>("ground_truth")),
            new StructField("extra_info", new DataField<string>("id"), new DataField<long>("index"),
                new DataField<string>("question"), new DataField<string>("task")),
        };
        for (var i = 0; i < n; i++) fields.Add(new DataField<string>(StageOneColumns.Response(i)));
        for (var i = 0; i < n; i++) fields.Add(new DataField<double>(StageOneColumns.Eval(i)));

        var rows = new List<IDictionary<string, object?>>(list.Count);
        for (var index = 0; index < list.Count; index++)
        {
            var e = list[index];
            var row = new Dictionary<string, object?>
            {
                ["data_source"] = e.DataSource,
                ["prompt"] = new List<Dictionary<string, object?>> { new() { ["role"] = "user", ["content"] = e.Prompt } },
                ["ability"] = "math",
                ["reward_model"] = new Dictionary<string, object?> { ["style"] = "rule", ["ground_truth"] = e.GroundTruth },
                ["extra_info"] = new Dictionary<string, object?>
                {
                    ["id"] = e.Id, ["index"] = (long)index, ["question"] = e.Question, ["task"] = e.Task,
                },
            };
            for (var i = 0; i < n; i++)
            {
                row[StageOneColumns.Response(i)] = e.StageOne![i].Response;
                row[StageOneColumns.Eval(i)] = e.StageOne![i].Reward;
            }
            rows.Add(row);
        }
        await AtomicFile.WriteAsync(path, s => ParquetSerializer.SerializeUntypedAsync(rows, new ParquetSchema(fields), s, cancellationToken: cancellationToken), cancellationToken)
            .ConfigureAwait(false);
    }

    private static int SamplesPerPrompt(IReadOnlyList<PromptExample> examples)
    {
        if (examples.Count == 0) throw new ArgumentException("nothing to write: no examples", nameof(examples));
        var n = examples[0].StageOne?.Count ?? 0;
        if (n == 0) throw new ArgumentException($"example \"{examples[0].Id}\" has no stage-1 samples", nameof(examples));
        foreach (var e in examples)
            if ((e.StageOne?.Count ?? 0) != n)
                throw new ArgumentException($"example \"{e.Id}\" has {e.StageOne?.Count ?? 0} stage-1 samples, the first has {n}; an export needs the same N for every prompt", nameof(examples));
        return n;
    }

    private static void WriteLine(Stream stream, Action<Utf8JsonWriter> body)
    {
        using (var writer = new Utf8JsonWriter(stream, JsonOptions))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
    }
}

using System.Text.Json.Nodes;

namespace Apo.Tasks.Data;

/// <summary>
/// Reads prompt datasets: raw GSM8K / MATH JSONL, verl RL data and A*-PO stage-1 exports, each
/// as JSONL or Parquet. The container is detected from the bytes (Parquet starts with
/// <c>PAR1</c>), the layout from the columns unless <see cref="DatasetReadOptions.Format"/> forces it.
/// Any row with <c>response_0..N-1</c> / <c>eval_0..N-1</c> gets its stage-1 samples filled.
/// </summary>
public static class DatasetReader
{
    /// <summary>
    /// Reads every row of <paramref name="path"/>. Throws <see cref="InvalidDataException"/>
    /// naming the file, line (JSONL) or row (Parquet, 1-based) and field for a malformed row
    /// unless <see cref="DatasetReadOptions.SkipBadRows"/>; file-level problems (empty file,
    /// missing columns, unknown layout, no usable row) always throw.
    /// </summary>
    public static DatasetReadResult Read(string path, DatasetReadOptions? options = null) =>
        // Parquet.Net is async-only; running it on the pool keeps a caller's scheduler (e.g. an
        // Orleans activation) from being blocked on its own continuations.
        Task.Run(() => ReadAsync(path, options)).GetAwaiter().GetResult();

    /// <summary>Asynchronous form of <see cref="Read"/>.</summary>
    public static async Task<DatasetReadResult> ReadAsync(string path, DatasetReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new DatasetReadOptions();
        if (options.Task is not null && !TaskKinds.IsKnown(options.Task))
            throw new ArgumentException($"unknown task \"{options.Task}\" (expected \"{TaskKinds.Gsm8k}\" or \"{TaskKinds.Math}\")", nameof(options));
        if (!File.Exists(path))
            throw Directory.Exists(path) ? new InvalidDataException($"{path}: is a directory, expected a dataset file")
                                         : new FileNotFoundException($"{path}: dataset file not found", path);

        var table = IsParquet(path) ? await ParquetSource.LoadAsync(path, cancellationToken).ConfigureAwait(false) : JsonlSource.Load(path);
        var format = options.Format == DatasetFormat.Auto ? Detect(path, table) : options.Format;
        if (table.DeclaredColumns is { } columns) RequireColumns(path, format, columns);
        return Interpret(path, table, format, options);
    }

    private static DatasetReadResult Interpret(string path, SourceTable table, DatasetFormat format, DatasetReadOptions options)
    {
        var examples = new List<PromptExample>(table.Rows.Count);
        var reasons = new List<string>();
        var skipped = 0;
        var firstSeen = new Dictionary<string, string>(StringComparer.Ordinal);
        int? samplesPerPrompt = null;
        string? samplesFixedAt = null;

        foreach (var row in table.Rows)
        {
            try
            {
                if (row.Fields is null) throw new RowError(row.ParseError!);
                var example = RowReaders.Read(format, row.Fields, options);
                var n = StageOneColumns.CountIn(row.Fields);
                if (format == DatasetFormat.StageOneExport && n == 0) throw RowError.Missing(StageOneColumns.Response(0));
                if (n == 0 && row.Fields.ContainsKey(StageOneColumns.Eval(0)))
                    throw new RowError($"field \"{StageOneColumns.Eval(0)}\" has no matching \"{StageOneColumns.Response(0)}\"");
                if (n > 0)
                {
                    if (samplesPerPrompt is { } expected && expected != n)
                        throw new RowError($"field \"{StageOneColumns.Response(System.Math.Min(n, expected))}\": this row has {n} stage-1 samples but {samplesFixedAt} has {expected}");
                    example = example with { StageOne = StageOneColumns.Read(row.Fields, n) };
                }
                if (firstSeen.TryGetValue(example.Id, out var first))
                    throw new RowError($"duplicate id \"{example.Id}\" (first seen at {first})");

                firstSeen[example.Id] = row.Location;
                if (n > 0 && samplesPerPrompt is null) { samplesPerPrompt = n; samplesFixedAt = row.Location; }
                examples.Add(example);
            }
            catch (RowError e)
            {
                var message = $"{path} {row.Location}: {e.Message}";
                if (!options.SkipBadRows) throw new InvalidDataException(message, e);
                skipped++;
                if (reasons.Count < options.MaxSkipReasons) reasons.Add(message);
            }
        }

        if (examples.Count == 0)
            throw new InvalidDataException($"{path}: no usable rows ({skipped} skipped; first: {reasons.FirstOrDefault()})");
        return new DatasetReadResult(examples, skipped, reasons, format);
    }

    private static bool IsParquet(string path)
    {
        Span<byte> magic = stackalloc byte[4];
        using var stream = File.OpenRead(path);
        return stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic.SequenceEqual("PAR1"u8);
    }

    private static DatasetFormat Detect(string path, SourceTable table)
    {
        if (table.DeclaredColumns is { } columns)
            return DetectFrom(columns) ?? throw UnknownFormat(path, "columns", columns);

        // JSONL declares nothing: the first row whose fields fit a layout decides, so one bad
        // leading row does not hide the format of the rest of the file.
        var parsed = table.Rows.Where(r => r.Fields is not null).ToList();
        if (parsed.Count == 0) throw new InvalidDataException($"{path} {table.Rows[0].Location}: {table.Rows[0].ParseError}");
        foreach (var row in parsed)
            if (DetectFrom(row.Fields!.Select(p => p.Key).ToList()) is { } format) return format;
        throw UnknownFormat(path, $"fields at {parsed[0].Location}", parsed[0].Fields!.Select(p => p.Key).ToList());
    }

    private static DatasetFormat? DetectFrom(IReadOnlyCollection<string> columns)
    {
        var has = columns.ToHashSet(StringComparer.Ordinal);
        if (has.Contains("prompt") && has.Contains("reward_model"))
            return has.Contains(StageOneColumns.Response(0)) ? DatasetFormat.StageOneExport : DatasetFormat.Verl;
        if (has.Contains("question") && has.Contains("answer")) return DatasetFormat.Gsm8k;
        if (has.Contains("problem")) return DatasetFormat.Math;
        return null;
    }

    private static InvalidDataException UnknownFormat(string path, string where, IReadOnlyCollection<string> columns) => new(
        $"{path}: cannot tell the dataset format from its {where} ({string.Join(", ", columns)}); expected GSM8K (question, answer), " +
        "MATH (problem, solution/answer), verl (prompt, reward_model, data_source) or an A*-PO stage-1 export (verl columns plus response_i, eval_i); " +
        "or set the format explicitly");

    private static void RequireColumns(string path, DatasetFormat format, IReadOnlyList<string> columns)
    {
        string[] required = format switch
        {
            DatasetFormat.Gsm8k => ["question", "answer"],
            DatasetFormat.Math => ["problem"],
            DatasetFormat.Verl => ["prompt", "reward_model"],
            DatasetFormat.StageOneExport => ["prompt", "reward_model", StageOneColumns.Response(0), StageOneColumns.Eval(0)],
            _ => [],
        };
        var missing = required.Where(c => !columns.Contains(c)).ToList();
        if (format == DatasetFormat.Math && !columns.Contains("solution") && !columns.Contains("answer")) missing.Add("solution or answer");
        if (missing.Count > 0)
            throw new InvalidDataException(
                $"{path}: Parquet file lacks column{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing.Select(m => $"\"{m}\""))} " +
                $"needed for the {format} format (has: {string.Join(", ", columns)})");
    }
}

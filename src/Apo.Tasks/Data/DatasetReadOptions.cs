namespace Apo.Tasks.Data;

/// <summary>How <see cref="DatasetReader"/> interprets a file.</summary>
public sealed record DatasetReadOptions
{
    /// <summary>Row layout; <see cref="DatasetFormat.Auto"/> detects it from the columns.</summary>
    public DatasetFormat Format { get; init; } = DatasetFormat.Auto;

    /// <summary>
    /// Forces the task of verl / stage-1 rows (whose task is otherwise taken from
    /// <c>extra_info.task</c>, then <c>data_source</c>, then the prompt's instruction).
    /// Raw GSM8K and MATH files always have their own task.
    /// </summary>
    public string? Task { get; init; }

    /// <summary>Data source recorded for raw files (default <c>openai/gsm8k</c> or <c>lighteval/MATH</c>, verl's names).</summary>
    public string? DataSource { get; init; }

    /// <summary>Skip malformed rows (counted and explained in the result) instead of throwing.</summary>
    public bool SkipBadRows { get; init; }

    /// <summary>At most this many skip reasons are kept (all skipped rows are still counted).</summary>
    public int MaxSkipReasons { get; init; } = 100;
}

/// <summary>What <see cref="DatasetReader.Read"/> returns.</summary>
/// <param name="Examples">The rows read, in file order.</param>
/// <param name="SkippedRows">How many malformed rows were skipped (only with <see cref="DatasetReadOptions.SkipBadRows"/>).</param>
/// <param name="SkipReasons">Why, one message per skipped row naming file, line/row and field (capped by <see cref="DatasetReadOptions.MaxSkipReasons"/>).</param>
/// <param name="Format">The row layout that was used (detected or forced).</param>
public sealed record DatasetReadResult(
    IReadOnlyList<PromptExample> Examples,
    int SkippedRows,
    IReadOnlyList<string> SkipReasons,
    DatasetFormat Format = DatasetFormat.Auto);

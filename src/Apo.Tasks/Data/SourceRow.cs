using System.Text.Json.Nodes;

namespace Apo.Tasks.Data;

/// <summary>
/// One row of a dataset file as a JSON object, whatever the container: Parquet rows are
/// converted to the same tree so one set of row readers serves both.
/// </summary>
/// <param name="Location">"line 17" (JSONL, 1-based) or "row 17" (Parquet, 1-based).</param>
/// <param name="Fields">The row, or null when it could not be parsed.</param>
/// <param name="ParseError">Why the row could not be parsed.</param>
internal sealed record SourceRow(string Location, JsonObject? Fields, string? ParseError);

/// <summary>The rows of a file plus, for Parquet, the declared top-level columns.</summary>
internal sealed record SourceTable(IReadOnlyList<SourceRow> Rows, IReadOnlyList<string>? DeclaredColumns);

namespace Apo.Tasks.Data;

/// <summary>A problem with one row; the reader adds the file and line/row in front of the message.</summary>
internal sealed class RowError(string message) : Exception(message)
{
    public static RowError Missing(string field) => new($"field \"{field}\" is missing");
}

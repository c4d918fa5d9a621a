namespace Apo.Tasks.Data;

/// <summary>A row of a raw GSM8K-format file: a question and a worked solution ending in <c>#### N</c>.</summary>
public sealed record Gsm8kRow(string Question, string Answer);

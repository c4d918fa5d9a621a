namespace Apo.Tasks.Data;

/// <summary>The task names that select a prompt template and a verifier.</summary>
public static class TaskKinds
{
    /// <summary>Grade-school arithmetic; final answer after <c>####</c>.</summary>
    public const string Gsm8k = "gsm8k";

    /// <summary>Competition mathematics; final answer in <c>\boxed{}</c>.</summary>
    public const string Math = "math";

    /// <summary>True for a task name this project knows.</summary>
    public static bool IsKnown(string? task) => task is Gsm8k or Math;
}

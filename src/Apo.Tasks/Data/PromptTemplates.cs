namespace Apo.Tasks.Data;

/// <summary>
/// The zero-shot prompt templates of the A*-PO paper (App. A.1), also used by verl's
/// preprocessing scripts: the question, one space, then a fixed instruction.
/// </summary>
public static class PromptTemplates
{
    /// <summary>Instruction appended to GSM8K questions.</summary>
    public const string Gsm8kInstruction = "Let's think step by step and output the final answer after \"####\".";

    /// <summary>Instruction appended to MATH problems.</summary>
    public const string MathInstruction = "Let's think step by step and output the final answer within \\boxed{}.";

    /// <summary>The instruction for a task (<see cref="TaskKinds"/>).</summary>
    public static string InstructionFor(string task) => task switch
    {
        TaskKinds.Gsm8k => Gsm8kInstruction,
        TaskKinds.Math => MathInstruction,
        _ => throw new ArgumentException($"unknown task \"{task}\" (expected \"{TaskKinds.Gsm8k}\" or \"{TaskKinds.Math}\")", nameof(task)),
    };

    /// <summary>GSM8K prompt: <c>{q} Let's think step by step and output the final answer after "####".</c></summary>
    public static string Gsm8k(string question) => question + " " + Gsm8kInstruction;

    /// <summary>MATH prompt: <c>{q} Let's think step by step and output the final answer within \boxed{}.</c></summary>
    public static string Math(string question) => question + " " + MathInstruction;

    /// <summary>Applies the template of <paramref name="task"/> to a question.</summary>
    public static string Apply(string task, string question) => question + " " + InstructionFor(task);

    /// <summary>
    /// The task whose instruction ends <paramref name="prompt"/>, or null; used to recognise
    /// already-templated prompts (verl data) and to recover the bare question.
    /// </summary>
    public static string? TaskOfTemplatedPrompt(string prompt)
    {
        var trimmed = prompt.TrimEnd();
        if (trimmed.EndsWith(Gsm8kInstruction, StringComparison.Ordinal)) return TaskKinds.Gsm8k;
        if (trimmed.EndsWith(MathInstruction, StringComparison.Ordinal)) return TaskKinds.Math;
        return null;
    }

    /// <summary>The prompt without a trailing known instruction (the prompt itself when it has none).</summary>
    public static string StripInstruction(string prompt)
    {
        var trimmed = prompt.TrimEnd();
        var task = TaskOfTemplatedPrompt(trimmed);
        return task is null ? prompt : trimmed[..^InstructionFor(task).Length].TrimEnd();
    }
}

using System.Text.Json.Nodes;
using Apo.Tasks.Verifiers;

namespace Apo.Tasks.Data;

/// <summary>Turns one row of a known layout into a <see cref="PromptExample"/> (without stage-1 samples).</summary>
internal static class RowReaders
{
    public const string DefaultGsm8kSource = "openai/gsm8k";
    public const string DefaultMathSource = "lighteval/MATH";

    public static PromptExample Read(DatasetFormat format, JsonObject row, DatasetReadOptions options) => format switch
    {
        DatasetFormat.Gsm8k => Gsm8k(row, options),
        DatasetFormat.Math => Math(row, options),
        DatasetFormat.Verl or DatasetFormat.StageOneExport => Verl(row, options),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    private static PromptExample Gsm8k(JsonObject row, DatasetReadOptions options)
    {
        var question = NonEmpty(RowFields.RequireString(row, "question"), "question");
        var answer = RowFields.RequireString(row, "answer");
        if (!answer.Contains("####", StringComparison.Ordinal))
            throw new RowError("field \"answer\" has no final \"#### N\"");
        var truth = Gsm8kReference.FinalAnswer(answer)
            ?? throw new RowError($"field \"answer\": the text after the last \"####\" is not a number (\"{AfterLastMarker(answer)}\")");
        var prompt = PromptTemplates.Gsm8k(question);
        return new PromptExample(FileId(row) ?? ExampleIds.FromContent(TaskKinds.Gsm8k, prompt, truth),
            question, prompt, truth, options.DataSource ?? DefaultGsm8kSource, TaskKinds.Gsm8k);
    }

    private static PromptExample Math(JsonObject row, DatasetReadOptions options)
    {
        var problem = NonEmpty(RowFields.RequireString(row, "problem"), "problem");
        // A separate "answer" (MATH-500 style) is authoritative; otherwise the solution's last \boxed{}.
        var truth = RowFields.OptionalStringOrNumber(row, "answer", "answer");
        if (string.IsNullOrWhiteSpace(truth))
        {
            if (!row.ContainsKey("solution"))
                throw new RowError("field \"solution\" is missing (and there is no \"answer\")");
            var solution = RowFields.RequireString(row, "solution");
            truth = BoxedAnswer.ExtractLast(solution);
            if (string.IsNullOrWhiteSpace(truth)) throw new RowError("field \"solution\" has no \\boxed{} final answer");
        }
        truth = truth.Trim();
        var prompt = PromptTemplates.Math(problem);
        return new PromptExample(FileId(row) ?? ExampleIds.FromContent(TaskKinds.Math, prompt, truth),
            problem, prompt, truth, options.DataSource ?? DefaultMathSource, TaskKinds.Math);
    }

    /// <summary>
    /// verl rows are already templated: the single user message is kept verbatim as the prompt,
    /// and the bare question comes from <c>extra_info.question</c> or by stripping the known instruction.
    /// </summary>
    private static PromptExample Verl(JsonObject row, DatasetReadOptions options)
    {
        var prompt = UserMessage(RowFields.RequireArray(row, "prompt"));
        var rewardModel = RowFields.RequireObject(row, "reward_model");
        var truth = RowFields.OptionalStringOrNumber(rewardModel, "ground_truth", "reward_model.ground_truth")
            ?? throw (rewardModel.ContainsKey("ground_truth")
                ? new RowError("field \"reward_model.ground_truth\" is null")
                : RowError.Missing("reward_model.ground_truth"));
        truth = NonEmpty(truth.Trim(), "reward_model.ground_truth");
        var dataSource = RowFields.OptionalString(row, "data_source");
        var extra = RowFields.OptionalObject(row, "extra_info");
        var task = TaskOf(options, extra, dataSource, prompt);
        // Some verl-style GSM8K files store the whole reference solution as ground truth; the
        // verifier needs the final number.
        if (task == TaskKinds.Gsm8k && truth.Contains("####", StringComparison.Ordinal))
            truth = Gsm8kReference.FinalAnswer(truth)
                ?? throw new RowError($"field \"reward_model.ground_truth\": the text after the last \"####\" is not a number (\"{AfterLastMarker(truth)}\")");
        var question = (extra is null ? null : RowFields.OptionalString(extra, "question", "extra_info.question"))
            ?? PromptTemplates.StripInstruction(prompt);
        dataSource ??= options.DataSource ?? (task == TaskKinds.Gsm8k ? DefaultGsm8kSource : DefaultMathSource);
        return new PromptExample(FileId(row) ?? ExampleIds.FromContent(task, prompt, truth),
            question, prompt, truth, dataSource, task);
    }

    private static string UserMessage(JsonArray messages)
    {
        if (messages.Count != 1)
        {
            var roles = string.Join(", ", messages.Select((m, i) => (m as JsonObject)?["role"]?.ToString() ?? $"#{i}"));
            throw new RowError($"field \"prompt\": only single-turn prompts with one user message are supported (found {messages.Count} messages: {roles})");
        }
        var message = messages[0] as JsonObject ?? throw new RowError("field \"prompt[0]\" must be an object with \"role\" and \"content\"");
        var role = RowFields.RequireString(message, "role", "prompt[0].role");
        if (role != "user") throw new RowError($"field \"prompt[0].role\" must be \"user\", got \"{role}\"");
        return NonEmpty(RowFields.RequireString(message, "content", "prompt[0].content"), "prompt[0].content");
    }

    private static string TaskOf(DatasetReadOptions options, JsonObject? extra, string? dataSource, string prompt)
    {
        if (options.Task is not null) return options.Task;
        var declared = extra is null ? null : RowFields.OptionalString(extra, "task", "extra_info.task");
        if (declared is not null)
            return TaskKinds.IsKnown(declared) ? declared
                : throw new RowError($"field \"extra_info.task\" must be \"{TaskKinds.Gsm8k}\" or \"{TaskKinds.Math}\", got \"{declared}\"");
        if (dataSource is not null)
        {
            if (dataSource.Contains("gsm8k", StringComparison.OrdinalIgnoreCase)) return TaskKinds.Gsm8k;
            if (dataSource.Contains("math", StringComparison.OrdinalIgnoreCase)) return TaskKinds.Math;
        }
        return PromptTemplates.TaskOfTemplatedPrompt(prompt)
            ?? throw new RowError($"field \"data_source\": cannot tell the task (data_source \"{dataSource}\" names neither GSM8K nor MATH and the prompt ends with neither instruction); set the task explicitly");
    }

    /// <summary>An id the file gives: top-level <c>id</c> or <c>unique_id</c>, else <c>extra_info.id</c>.</summary>
    private static string? FileId(JsonObject row)
    {
        var id = RowFields.OptionalStringOrNumber(row, "id", "id") ?? RowFields.OptionalStringOrNumber(row, "unique_id", "unique_id");
        if (id is null && RowFields.OptionalObject(row, "extra_info") is { } extra)
            id = RowFields.OptionalStringOrNumber(extra, "id", "extra_info.id");
        if (id is not null && string.IsNullOrWhiteSpace(id)) throw new RowError("field \"id\" is empty");
        return id;
    }

    private static string NonEmpty(string value, string field) =>
        string.IsNullOrWhiteSpace(value) ? throw new RowError($"field \"{field}\" is empty") : value;

    private static string AfterLastMarker(string answer)
    {
        var tail = answer[(answer.LastIndexOf("####", StringComparison.Ordinal) + 4)..].Trim();
        return tail.Length <= 40 ? tail : tail[..40] + "…";
    }
}

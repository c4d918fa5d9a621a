using System.Collections.Immutable;

namespace Apo.Abstractions.Prompts;

/// <summary>
/// One training prompt as read from the dataset: what the model sees, what the verifier checks.
/// Equality compares the token ids element by element (a record would compare array references).
/// </summary>
/// <param name="PromptId">Stable key of the prompt; also the PromptGrain key.</param>
/// <param name="PromptText">The templated prompt text given to the model.</param>
/// <param name="PromptTokenIds">The prompt tokenized by the reference tokenizer.</param>
/// <param name="GroundTruth">The reference answer the verifier compares against.</param>
/// <param name="Task">Which verifier scores it, e.g. "gsm8k", "math", "synthetic".</param>
/// <param name="DataSource">Where it came from, for error messages, e.g. "data/train.jsonl line 17".</param>
[GenerateSerializer, Immutable, Alias("apo.PromptSpec")]
public sealed record PromptSpec(
    [property: Id(0)] string PromptId,
    [property: Id(1)] string PromptText,
    [property: Id(2)] ImmutableArray<int> PromptTokenIds,
    [property: Id(3)] string GroundTruth,
    [property: Id(4)] string Task,
    [property: Id(5)] string DataSource)
{
    /// <inheritdoc />
    public bool Equals(PromptSpec? other) =>
        other is not null
        && PromptId == other.PromptId
        && PromptText == other.PromptText
        && PromptTokenIds.AsSpan().SequenceEqual(other.PromptTokenIds.AsSpan())
        && GroundTruth == other.GroundTruth
        && Task == other.Task
        && DataSource == other.DataSource;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(PromptId, PromptText, PromptTokenIds.Length, GroundTruth, Task, DataSource);
}

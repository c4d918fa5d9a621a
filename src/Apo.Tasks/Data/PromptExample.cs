namespace Apo.Tasks.Data;

/// <summary>
/// One training or evaluation prompt, whatever file format it came from.
/// </summary>
/// <param name="Id">
/// Stable identity used to key durable per-prompt state. Taken from the file when it has one
/// (top-level <c>id</c> or <c>unique_id</c>, or <c>extra_info.id</c>); otherwise
/// <see cref="ExampleIds.FromContent"/>: a hash of task, prompt and ground truth, so the same
/// prompt gets the same id whichever file, row order or format it is read from.
/// </param>
/// <param name="Question">The bare question, without the instruction suffix.</param>
/// <param name="Prompt">The exact text fed to the model (question plus the task's instruction).</param>
/// <param name="GroundTruth">The reference answer the verifier compares against.</param>
/// <param name="DataSource">Where the prompt comes from, e.g. <c>openai/gsm8k</c> (verl's <c>data_source</c>).</param>
/// <param name="Task">Which verifier applies: <see cref="TaskKinds.Gsm8k"/> or <see cref="TaskKinds.Math"/>.</param>
/// <param name="StageOne">Reference-policy samples and their rewards imported from a stage-1 export, or null.</param>
public sealed record PromptExample(
    string Id,
    string Question,
    string Prompt,
    string GroundTruth,
    string DataSource,
    string Task,
    IReadOnlyList<StageOneSample>? StageOne = null);

/// <summary>One stage-1 sample: a response drawn from the reference policy and its reward.</summary>
public sealed record StageOneSample(string Response, double Reward);

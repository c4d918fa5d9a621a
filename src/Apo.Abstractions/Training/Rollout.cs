using System.Collections.Immutable;

namespace Apo.Abstractions.Training;

/// <summary>
/// One scored response for the trainer, answered by a generator's <c>SampleRollouts</c> call. No text:
/// token ids and log-probs only. (Step, PromptId, SampleIndex) identifies it.
/// </summary>
/// <param name="PromptId">Key of the prompt.</param>
/// <param name="Step">Trainer step it was generated for.</param>
/// <param name="SampleIndex">Which of the prompt's samples in this step (0 for A*-PO; 0/1 for GRPO, REBEL).</param>
/// <param name="PromptTokenIds">Prompt token ids (unpadded).</param>
/// <param name="ResponseTokenIds">Response token ids, EOS included when produced.</param>
/// <param name="SamplingLogProbs">Log-prob of each response token under the sampling policy.</param>
/// <param name="FinishedAtEos">False when cut at max new tokens.</param>
/// <param name="Reward">Verifier reward.</param>
/// <param name="VStar">V̂* of the prompt (from its PromptGrain).</param>
/// <param name="WeightVersion">Version of the weights that sampled it.</param>
[GenerateSerializer, Immutable, Alias("apo.Rollout")]
public sealed record Rollout(
    [property: Id(0)] string PromptId,
    [property: Id(1)] long Step,
    [property: Id(2)] int SampleIndex,
    [property: Id(3)] ImmutableArray<int> PromptTokenIds,
    [property: Id(4)] ImmutableArray<int> ResponseTokenIds,
    [property: Id(5)] ImmutableArray<float> SamplingLogProbs,
    [property: Id(6)] bool FinishedAtEos,
    [property: Id(7)] double Reward,
    [property: Id(8)] double VStar,
    [property: Id(9)] long WeightVersion)
{
    /// <summary>The trainer incarnation whose request drew it; the trainer refuses rollouts of another.</summary>
    [Id(10)] public long TrainerEpoch { get; init; }
}

using System.Collections.Immutable;
using Apo.Abstractions.StageOne;
using Apo.Abstractions.Weights;

namespace Apo.Abstractions.Generation;

/// <summary>
/// Stage-2 work for a generator: sample responses for one chunk of a step's batch with these weights,
/// score them, and answer one <see cref="Training.Rollout"/> per response. A chunk's prompts are fixed by
/// the step, never by which generator takes it, so a retried chunk draws the same samples.
/// </summary>
/// <param name="RunId">The run (stream key).</param>
/// <param name="Step">Trainer step the rollouts are for (with prompt id and sample index, the rollout's identity).</param>
/// <param name="Weights">Policy weights to sample with.</param>
/// <param name="Sampling">Sampling settings of stage 2.</param>
/// <param name="StageOne">Provenance whose V̂* the rollouts carry.</param>
/// <param name="PromptIds">Prompts of this chunk of the batch.</param>
/// <param name="SamplesPerPrompt">1 for A*-PO, 2 for GRPO/REBEL.</param>
/// <param name="Seed">Base seed; each sequence's seed derives from it, the prompt id and the sample index.</param>
/// <param name="NeedsVStar">
/// True for A*-PO: each rollout carries its prompt's V̂* and a prompt without one is an error. The
/// baselines have no stage 1: their rollouts carry NaN.
/// </param>
/// <param name="Reference">
/// The run's reference checkpoint: the replica's architecture and tokenizer, and the weights of version 0.
/// Optional for compatibility; without it the generator uses <see cref="Weights"/>' location when that is a
/// model directory, else the reference of its last stage-1 unit.
/// </param>
/// <param name="Engine">The run's batch shape; null = the silo's own generation settings.</param>
[GenerateSerializer, Immutable, Alias("apo.RolloutRequest")]
public sealed record RolloutRequest(
    [property: Id(0)] string RunId,
    [property: Id(1)] long Step,
    [property: Id(2)] WeightVersion Weights,
    [property: Id(3)] SamplingSettings Sampling,
    [property: Id(4)] StageOneProvenance StageOne,
    [property: Id(5)] ImmutableArray<string> PromptIds,
    [property: Id(6)] int SamplesPerPrompt,
    [property: Id(7)] long Seed,
    [property: Id(8)] ReferenceModel? Reference = null,
    [property: Id(9)] bool NeedsVStar = true,
    [property: Id(10)] GenerationEngine? Engine = null)
{
    /// <summary>The incarnation of the trainer asking; a generator refuses a request of an incarnation older than one it has served.</summary>
    [Id(11)] public long TrainerEpoch { get; init; }
}

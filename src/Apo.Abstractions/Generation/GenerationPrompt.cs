using System.Collections.Immutable;

namespace Apo.Abstractions.Generation;

/// <summary>One sequence to sample: a prompt and the seed of this one sequence (two samples of one prompt are two items).</summary>
/// <param name="PromptId">Key of the prompt, echoed in the result.</param>
/// <param name="PromptTokenIds">Prompt token ids (unpadded; the generator pads).</param>
/// <param name="Seed">Seed of this sequence alone, so a sequence is repeatable whatever batch it lands in.</param>
[GenerateSerializer, Immutable, Alias("apo.GenerationPrompt")]
public sealed record GenerationPrompt(
    [property: Id(0)] string PromptId,
    [property: Id(1)] ImmutableArray<int> PromptTokenIds,
    [property: Id(2)] long Seed);

namespace Apo.Model.Inference;

/// <summary>
/// One prompt and the samples to draw from it: one seed per sample (sample j draws its step-t uniform
/// from <see cref="CounterRandom.Uniform"/>(Seeds[j], t)), and optionally a token limit per sample
/// (capped by <see cref="SamplingOptions.MaxNewTokens"/>). The samples share one prefill of the prompt.
/// </summary>
public sealed record PromptSamples(int[] PromptIds, IReadOnlyList<long> Seeds, IReadOnlyList<int>? TokenLimits = null);

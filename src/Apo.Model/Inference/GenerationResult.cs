namespace Apo.Model.Inference;

/// <summary>One generated response.</summary>
/// <param name="TokenIds">Generated ids; ends with the stop token when <paramref name="Finished"/>, nothing after it.</param>
/// <param name="LogProbs">Per token, the log-prob under the distribution it was sampled from.</param>
/// <param name="Finished">True when a stop token ended it, false when it hit MaxNewTokens.</param>
public sealed record GeneratedSequence(int[] TokenIds, float[] LogProbs, bool Finished);

/// <summary>The responses of one <see cref="Sampler.Generate"/> call, in prompt order.</summary>
public sealed record GenerationResult(IReadOnlyList<GeneratedSequence> Sequences);

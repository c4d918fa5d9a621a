namespace Apo.Engine.Rollouts;

/// <summary>One sampled response with its reward. <see cref="Failure"/> says why a verifier could not judge it.</summary>
public sealed record ScoredSample(
    string PromptId,
    int SampleIndex,
    int[] ResponseIds,
    float[] SamplingLogProbs,
    bool Finished,
    string Text,
    double Reward,
    string? Failure);

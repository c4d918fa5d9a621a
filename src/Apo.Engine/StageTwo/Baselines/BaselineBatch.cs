using Apo.Algorithm.Optimization;

namespace Apo.Engine.StageTwo.Baselines;

/// <summary>One update's rollouts with the log-probs recomputed before its first step.</summary>
/// <param name="OldTokenLogProbs">Per rollout, log π_old per response token (the policy before this update, no gradient).</param>
/// <param name="OldSums">Per rollout, Σ_t log π_old, exactly as the teacher-forcing pass sums it.</param>
/// <param name="ReferenceTokenLogProbs">Per rollout, log π_ref per response token.</param>
/// <param name="ReferenceSums">Per rollout, Σ_t log π_ref.</param>
sealed record BaselineBatch(
    IReadOnlyList<TrainingRollout> Rollouts,
    int[][] Prompts,
    int[][] Responses,
    IReadOnlyList<MiniBatchPlan> Plan,
    float[][] OldTokenLogProbs,
    float[] OldSums,
    float[][] ReferenceTokenLogProbs,
    double[] ReferenceSums)
{
    /// <summary>The part's rows of a per-rollout array.</summary>
    public T[] Slice<T>(T[] rows, MiniBatchSlice part) => rows[part.Start..part.End];
}

namespace Apo.Engine.StageTwo;

/// <summary>One update's rollouts, its plan and the log-probs computed before its first step.</summary>
/// <param name="OldTokenLogProbs">Per rollout, log π_old per response token (the policy before this update, no gradient); empty when the learner needs none.</param>
/// <param name="OldSums">Per rollout, Σ_t log π_old, exactly as the teacher-forcing pass sums it; empty when the learner needs none.</param>
/// <param name="ReferenceTokenLogProbs">Per rollout, log π_ref per response token.</param>
/// <param name="ReferenceSums">Per rollout, Σ_t log π_ref.</param>
sealed record LearnerBatch(
    IReadOnlyList<TrainingRollout> Rollouts,
    int[][] Prompts,
    int[][] Responses,
    IReadOnlyList<MiniBatchPlan> Plan,
    float[][] OldTokenLogProbs,
    float[] OldSums,
    float[][] ReferenceTokenLogProbs,
    double[] ReferenceSums)
{
    /// <summary>The part's rows of a per-rollout array, in the part's order.</summary>
    public T[] Slice<T>(T[] rows, IReadOnlyList<int> part) => part.Select(i => rows[i]).ToArray();

    /// <summary>Response tokens of the given rows.</summary>
    public long Tokens(IEnumerable<int> rows) => rows.Sum(i => (long)Responses[i].Length);
}

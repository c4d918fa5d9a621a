namespace Apo.Tasks.Evaluation;

/// <summary>
/// Accuracy-style metrics over verifier scores. A sample counts as correct when its score is 1
/// (full credit), matching <see cref="Apo.Tasks.Verifiers.VerifyResult.IsCorrect"/>.
/// </summary>
public static class EvaluationMetrics
{
    /// <summary>True when <paramref name="score"/> is full credit.</summary>
    public static bool IsCorrect(double score) => score >= 1.0;

    /// <summary>Greedy accuracy: the mean score of one greedy response per prompt.</summary>
    /// <exception cref="ArgumentException">Empty input or a score outside [0, 1].</exception>
    public static double Accuracy(IReadOnlyList<double> scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.Count == 0) throw new ArgumentException("no scores to average", nameof(scores));
        double sum = 0;
        for (int i = 0; i < scores.Count; i++) sum += CheckedScore(scores[i], i, nameof(scores));
        return sum / scores.Count;
    }

    /// <summary>
    /// avg@k: the mean over prompts of the mean score of that prompt's k samples (every prompt
    /// must have the same number of samples k ≥ 1).
    /// </summary>
    public static double AverageAtK(IReadOnlyList<IReadOnlyList<double>> scoresPerPrompt)
    {
        int k = CheckRectangular(scoresPerPrompt);
        double total = 0;
        for (int p = 0; p < scoresPerPrompt.Count; p++)
        {
            double sum = 0;
            for (int j = 0; j < k; j++) sum += CheckedScore(scoresPerPrompt[p][j], p, nameof(scoresPerPrompt));
            total += sum / k;
        }
        return total / scoresPerPrompt.Count;
    }

    /// <summary>
    /// Mean over prompts of the unbiased pass@k estimate from each prompt's n samples
    /// (n = samples per prompt, the same for all; 1 ≤ k ≤ n).
    /// </summary>
    public static double PassAtK(IReadOnlyList<IReadOnlyList<double>> scoresPerPrompt, int k)
    {
        int n = CheckRectangular(scoresPerPrompt);
        if (k < 1 || k > n) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be in [1, {n}] (samples per prompt)");
        double total = 0;
        for (int p = 0; p < scoresPerPrompt.Count; p++)
        {
            int correct = 0;
            for (int j = 0; j < n; j++)
                if (IsCorrect(CheckedScore(scoresPerPrompt[p][j], p, nameof(scoresPerPrompt)))) correct++;
            total += Evaluation.PassAtK.Estimate(n, correct, k);
        }
        return total / scoresPerPrompt.Count;
    }

    /// <summary>Returns the common sample count, or throws naming the first offending prompt.</summary>
    private static int CheckRectangular(IReadOnlyList<IReadOnlyList<double>> scoresPerPrompt)
    {
        ArgumentNullException.ThrowIfNull(scoresPerPrompt);
        if (scoresPerPrompt.Count == 0) throw new ArgumentException("no prompts", nameof(scoresPerPrompt));
        int k = scoresPerPrompt[0]?.Count ?? 0;
        if (k == 0) throw new ArgumentException("prompt 0 has no samples", nameof(scoresPerPrompt));
        for (int p = 1; p < scoresPerPrompt.Count; p++)
            if ((scoresPerPrompt[p]?.Count ?? 0) != k)
                throw new ArgumentException(
                    $"prompt {p} has {scoresPerPrompt[p]?.Count ?? 0} samples, prompt 0 has {k}", nameof(scoresPerPrompt));
        return k;
    }

    private static double CheckedScore(double score, int index, string param)
    {
        if (!(score >= 0 && score <= 1)) // also rejects NaN
            throw new ArgumentException($"score {score} at index {index} is outside [0, 1]", param);
        return score;
    }
}

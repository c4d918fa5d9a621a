using Apo.Tasks.Evaluation;

namespace Apo.Tasks.Tests.Evaluation;

public class EvaluationMetricsTests
{
    private static IReadOnlyList<IReadOnlyList<double>> Grid(params double[][] rows) => rows;

    [Fact]
    public void Greedy_accuracy_is_the_mean_score() =>
        Assert.Equal(0.75, EvaluationMetrics.Accuracy([1, 0, 1, 1]));

    [Fact]
    public void Avg_at_k_averages_per_prompt_means()
    {
        // prompt means 2/4 and 1/4 → (0.5 + 0.25) / 2
        Assert.Equal(0.375, EvaluationMetrics.AverageAtK(Grid([1, 0, 1, 0], [0, 0, 0, 1])));
    }

    [Fact]
    public void Dataset_pass_at_k_averages_the_unbiased_estimates()
    {
        // prompt 1: n=4, c=2, k=2 → 5/6; prompt 2: n=4, c=0 → 0; prompt 3: c=4 → 1.
        double expected = (5.0 / 6.0 + 0 + 1) / 3;
        Assert.Equal(expected, EvaluationMetrics.PassAtK(Grid([1, 0, 1, 0], [0, 0, 0, 0], [1, 1, 1, 1]), 2), 12);
        // pass@1 equals avg@k when scores are binary
        var grid = Grid([1, 0, 1, 0], [0, 0, 0, 1], [1, 1, 1, 0]);
        Assert.Equal(EvaluationMetrics.AverageAtK(grid), EvaluationMetrics.PassAtK(grid, 1), 12);
    }

    [Fact]
    public void Partial_credit_is_not_a_pass()
    {
        Assert.Equal(0.0, EvaluationMetrics.PassAtK(Grid([0.5, 0.5]), 2));
        Assert.False(EvaluationMetrics.IsCorrect(0.999));
        Assert.True(EvaluationMetrics.IsCorrect(1.0));
    }

    [Fact]
    public void Rejects_bad_inputs_with_the_offending_index()
    {
        Assert.Throws<ArgumentException>(() => EvaluationMetrics.Accuracy([]));
        Assert.Contains("index 1", Assert.Throws<ArgumentException>(() => EvaluationMetrics.Accuracy([1, double.NaN])).Message);
        Assert.Contains("index 0", Assert.Throws<ArgumentException>(() => EvaluationMetrics.Accuracy([2])).Message);
        Assert.Contains("prompt 1 has 3 samples", Assert.Throws<ArgumentException>(() =>
            EvaluationMetrics.AverageAtK(Grid([1, 0], [1, 0, 1]))).Message);
        Assert.Throws<ArgumentException>(() => EvaluationMetrics.AverageAtK(Grid([])));
        Assert.Throws<ArgumentOutOfRangeException>(() => EvaluationMetrics.PassAtK(Grid([1, 0]), 3));
    }
}

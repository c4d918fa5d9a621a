using System.Collections.Immutable;
using Apo.Abstractions.Prompts;
using Apo.Abstractions.StageOne;

namespace Apo.Grains.Tests;

/// <summary>Small, explicit inputs for PromptGrain tests.</summary>
internal static class TestData
{
    public static string NewKey() => "p-" + Guid.NewGuid().ToString("N");

    public static PromptSpec Spec(string id, string question = "What is 2 + 3?") => new(
        id,
        question + " Let's think step by step and output the final answer after \"####\".",
        [151644, 3838, 374, 220, 17, 488, 220, 18, 30],
        "5",
        "gsm8k",
        "data/train.jsonl line 4");

    public static StageOneProvenance Provenance(double beta1 = 0.5, int n = 8, string hash = "sha256:ref-a", long seed = 7) =>
        new(hash, beta1, n, SamplingSettings.StageOneDefault, seed);

    /// <summary>N samples of which the first k scored 1 and the rest 0.</summary>
    public static ImmutableArray<StageOneSample> Samples(int k, int n = 8) =>
        Enumerable.Range(0, n)
            .Select(i => new StageOneSample([100 + i, 200 + i, 151643], i < k ? "#### 5" : "#### 4", i < k ? 1.0 : 0.0, true, null))
            .ToImmutableArray();

    /// <summary>V̂* for k correct of n at β1: β1·ln((k·e^(1/β1) + (n − k))/n) = β1·ln(1 + (k/n)(e^(1/β1) − 1)).</summary>
    public static double ClosedFormVStar(int k, int n, double beta1) =>
        beta1 * Math.Log(1 + (double)k / n * (Math.Exp(1 / beta1) - 1));
}

using System.Diagnostics;
using Apo.Model.Inference;
using Apo.Model.Qwen2;
using static TorchSharp.torch;

namespace Apo.Model.Diagnostics;

/// <summary>Settings of <see cref="GenerationBenchmark.Run"/>.</summary>
public sealed record GenerationBenchmarkOptions
{
    public int Repeats { get; init; } = 3;
    public int BatchSize { get; init; } = 8;
    public int NewTokens { get; init; } = 128;
    public int PromptLength { get; init; } = 32;
    /// <summary>The measured model (random weights; speed does not depend on their values).</summary>
    public Qwen2Config Config { get; init; } = new()
    {
        VocabSize = 2048, HiddenSize = 256, IntermediateSize = 1024, NumHiddenLayers = 4,
        NumAttentionHeads = 4, NumKeyValueHeads = 2, MaxPositionEmbeddings = 4096, TieWordEmbeddings = true,
    };
}

/// <summary>Medians over the repeats, in generated (or scored response) tokens per second; the speed-up is the median of per-round ratios.</summary>
public sealed record GenerationBenchmarkResult(
    GenerationBenchmarkOptions Options,
    long ParameterCount,
    int Threads,
    double CachedTokensPerSecond,
    double UncachedTokensPerSecond,
    double ScoringTokensPerSecond,
    double CacheSpeedup);

/// <summary>
/// Measures generation with and without the KV cache and teacher-forced scoring on a small random
/// Qwen2 (one warm-up run, then the median of several). A diagnostic, not a test: numbers depend on the machine.
/// </summary>
public static class GenerationBenchmark
{
    public static GenerationBenchmarkResult Run(GenerationBenchmarkOptions options, Action<string>? progress = null)
    {
        if (options.Repeats <= 0 || options.BatchSize <= 0 || options.NewTokens <= 0 || options.PromptLength <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), "repeats, batch size, new tokens and prompt length must be positive");
        manual_seed(0);
        using var model = new Qwen2ForCausalLM(options.Config, CPU, ScalarType.Float32);
        var random = new Random(0);
        var prompts = Enumerable.Range(0, options.BatchSize)
            .Select(_ => Enumerable.Range(0, options.PromptLength).Select(_ => random.Next(options.Config.VocabSize)).ToArray()).ToArray();
        var seeds = Enumerable.Range(0, options.BatchSize).Select(i => (long)i).ToArray();
        // No stop tokens: every sequence generates exactly NewTokens, so runs are comparable.
        var sampling = new SamplingOptions { MaxNewTokens = options.NewTokens, StopTokenIds = [] };
        int[][] responses = [];

        double Generate(bool cache)
        {
            var result = StaticSampler.Generate(model, prompts, sampling, seeds, cache);
            responses = result.Sequences.Select(s => s.TokenIds).ToArray();
            return responses.Sum(r => r.Length);
        }
        double Score() => Scorer.Score(model, prompts, responses, Apo.Common.Batching.TokenBudget.Unlimited).Sum(s => s.TokenLogProbs.Length);

        // Interleaved (cached, uncached, score in every round) so load from other processes hits all three alike.
        var measurements = new (string Name, Func<double> Run)[]
        {
            ("generate, KV cache", () => Generate(cache: true)),
            ("generate, no cache", () => Generate(cache: false)),
            ("score", Score),
        };
        foreach (var m in measurements) m.Run(); // warm-up, untimed
        var rates = measurements.Select(_ => new List<double>()).ToArray();
        for (int round = 0; round < options.Repeats; round++)
            for (int i = 0; i < measurements.Length; i++)
            {
                var clock = Stopwatch.StartNew();
                double tokens = measurements[i].Run();
                rates[i].Add(tokens / clock.Elapsed.TotalSeconds);
                progress?.Invoke($"{measurements[i].Name}: run {round + 1}/{options.Repeats}: {rates[i][^1]:F0} tokens/s");
            }
        return new GenerationBenchmarkResult(options, options.Config.ParameterCount, get_num_threads(),
            Medians.Of(rates[0]), Medians.Of(rates[1]), Medians.Of(rates[2]),
            Medians.Of(rates[0].Zip(rates[1], (cached, uncached) => cached / uncached).ToList()));
    }
}

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

/// <summary>Medians over the repeats, in generated (or scored response) tokens per second.</summary>
public sealed record GenerationBenchmarkResult(
    GenerationBenchmarkOptions Options,
    long ParameterCount,
    int Threads,
    double CachedTokensPerSecond,
    double UncachedTokensPerSecond,
    double ScoringTokensPerSecond)
{
    public double CacheSpeedup => CachedTokensPerSecond / UncachedTokensPerSecond;
}

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
            var result = Sampler.Generate(model, prompts, sampling, seeds, cache);
            responses = result.Sequences.Select(s => s.TokenIds).ToArray();
            return responses.Sum(r => r.Length);
        }
        double Score() => Scorer.Score(model, prompts, responses, options.BatchSize).Sum(s => s.TokenLogProbs.Length);

        double cached = Median("generate, KV cache", options.Repeats, () => Generate(cache: true), progress);
        double uncached = Median("generate, no cache", options.Repeats, () => Generate(cache: false), progress);
        double scoring = Median("score", options.Repeats, Score, progress);
        return new GenerationBenchmarkResult(options, options.Config.ParameterCount, get_num_threads(), cached, uncached, scoring);
    }

    /// <summary>Median tokens/s of <paramref name="repeats"/> timed runs after one untimed warm-up.</summary>
    static double Median(string name, int repeats, Func<double> run, Action<string>? progress)
    {
        run();
        var rates = new List<double>();
        for (int i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            double tokens = run();
            rates.Add(tokens / clock.Elapsed.TotalSeconds);
            progress?.Invoke($"{name}: run {i + 1}/{repeats}: {rates[^1]:F0} tokens/s");
        }
        rates.Sort();
        return repeats % 2 == 1 ? rates[repeats / 2] : (rates[repeats / 2 - 1] + rates[repeats / 2]) / 2;
    }
}

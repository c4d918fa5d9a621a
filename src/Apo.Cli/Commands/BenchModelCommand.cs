using System.CommandLine;
using Apo.Model.Diagnostics;

namespace Apo.Cli.Commands;

/// <summary>`apo bench-model`: generation (with and without KV cache) and scoring speed of a small Qwen2.</summary>
static class BenchModelCommand
{
    public static Command Create()
    {
        var repeats = new Option<int>("--repeats") { Description = "Timed runs per measurement (median reported).", DefaultValueFactory = _ => 3 };
        var batch = new Option<int>("--batch") { Description = "Sequences per batch.", DefaultValueFactory = _ => 8 };
        var newTokens = new Option<int>("--new-tokens") { Description = "Tokens generated per sequence.", DefaultValueFactory = _ => 128 };
        var command = new Command("bench-model", "Measure generation and scoring tokens/s of a small random Qwen2 (hidden 256, 4 layers).")
        {
            repeats, batch, newTokens,
        };
        command.SetAction(parse =>
        {
            var options = new GenerationBenchmarkOptions
            {
                Repeats = Positive(parse.GetValue(repeats), "--repeats"),
                BatchSize = Positive(parse.GetValue(batch), "--batch"),
                NewTokens = Positive(parse.GetValue(newTokens), "--new-tokens"),
            };
            var c = options.Config;
            Console.WriteLine($"model: hidden {c.HiddenSize}, {c.NumHiddenLayers} layers, {c.NumAttentionHeads} heads ({c.NumKeyValueHeads} kv), vocab {c.VocabSize}, {c.ParameterCount:N0} parameters, float32, cpu");
            Console.WriteLine($"batch {options.BatchSize} × prompt {options.PromptLength} tokens, {options.NewTokens} new tokens, median of {options.Repeats} runs");
            var result = GenerationBenchmark.Run(options, line => Console.Error.WriteLine(line));
            Console.WriteLine($"threads: {result.Threads}");
            Console.WriteLine($"generate (KV cache):   {result.CachedTokensPerSecond,10:F0} tokens/s");
            Console.WriteLine($"generate (no cache):   {result.UncachedTokensPerSecond,10:F0} tokens/s");
            Console.WriteLine($"cache speed-up:        {result.CacheSpeedup,10:F1}×");
            Console.WriteLine($"score (teacher-forced):{result.ScoringTokensPerSecond,10:F0} response tokens/s");
            return 0;
        });
        return command;
    }

    static int Positive(int value, string option) =>
        value > 0 ? value : throw new UsageException($"{option} must be positive, got {value}");
}

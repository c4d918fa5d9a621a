using System.CommandLine;
using Apo.Cli.Bench;
using Apo.Model.Diagnostics;
using static TorchSharp.torch;

namespace Apo.Cli.Commands;

/// <summary>`apo bench-rollout`: the rollout engine against the static sampler on long-tailed lengths, and decode speed against this machine's bound.</summary>
static class BenchRolloutCommand
{
    public static Command Create()
    {
        var shape = new Option<string>("--shape") { Description = BenchShape.Help + ".", DefaultValueFactory = _ => "tiny" };
        var dtype = new Option<string>("--dtype") { Description = "float32 or bfloat16.", DefaultValueFactory = _ => "float32" };
        var prompts = new Option<int>("--prompts") { Description = "Prompts of the workload.", DefaultValueFactory = _ => 8 };
        var samples = new Option<int>("--samples") { Description = "Samples per prompt (stage 1's N).", DefaultValueFactory = _ => 8 };
        var promptTokens = new Option<int>("--prompt-tokens") { Description = "Tokens per prompt.", DefaultValueFactory = _ => 64 };
        var meanLength = new Option<double>("--mean-length") { Description = "Mean of the geometric response lengths.", DefaultValueFactory = _ => 128 };
        var maxLength = new Option<int>("--max-length") { Description = "Cap of the response lengths (max new tokens).", DefaultValueFactory = _ => 1024 };
        var slots = new Option<int>("--slots") { Description = "Sequences decoded together (static batch size, engine slots).", DefaultValueFactory = _ => 32 };
        var kvTokens = new Option<long>("--kv-tokens") { Description = "Also run the engine under this KV budget in tokens (0 = skip).", DefaultValueFactory = _ => 0 };
        var repeats = new Option<int>("--repeats") { Description = "Timed runs per measurement (median reported).", DefaultValueFactory = _ => 3 };
        var decodeBatches = new Option<string>("--decode-batches") { Description = "Comma-separated batch sizes of the decode measurement, or none.", DefaultValueFactory = _ => "1,8,32" };
        var decodeSteps = new Option<int>("--decode-steps") { Description = "Decode steps timed per batch size.", DefaultValueFactory = _ => 16 };
        var noWorkload = new Option<bool>("--no-workload") { Description = "Skip the long-tailed workload (decode only)." };
        var command = new Command("bench-rollout", "Tokens/s of continuous vs static batching on long-tailed lengths (random weights), and decode tokens/s against the memory-bandwidth and matmul bound.")
        {
            shape, dtype, prompts, samples, promptTokens, meanLength, maxLength, slots, kvTokens, repeats, decodeBatches, decodeSteps, noWorkload,
        };
        command.SetAction(parse =>
        {
            var options = new RolloutBenchmarkOptions
            {
                Config = BenchShape.Resolve(parse.GetValue(shape)!, "--shape"),
                DType = parse.GetValue(dtype) switch
                {
                    "float32" => ScalarType.Float32,
                    "bfloat16" => ScalarType.BFloat16,
                    var other => throw new UsageException($"--dtype: \"{other}\" is not float32 or bfloat16"),
                },
                Prompts = Positive(parse.GetValue(prompts), "--prompts"),
                SamplesPerPrompt = Positive(parse.GetValue(samples), "--samples"),
                PromptTokens = Positive(parse.GetValue(promptTokens), "--prompt-tokens"),
                MeanLength = parse.GetValue(meanLength) >= 1 ? parse.GetValue(meanLength) : throw new UsageException("--mean-length must be at least 1"),
                MaxLength = Positive(parse.GetValue(maxLength), "--max-length"),
                Slots = Positive(parse.GetValue(slots), "--slots"),
                KvTokens = parse.GetValue(kvTokens) >= 0 ? parse.GetValue(kvTokens) : throw new UsageException("--kv-tokens must be >= 0"),
                Repeats = Positive(parse.GetValue(repeats), "--repeats"),
                DecodeBatches = Batches(parse.GetValue(decodeBatches)!),
                DecodeSteps = Positive(parse.GetValue(decodeSteps), "--decode-steps"),
                Workload = !parse.GetValue(noWorkload),
            };
            var c = options.Config;
            Console.WriteLine($"model: {parse.GetValue(shape)}: hidden {c.HiddenSize}, {c.NumHiddenLayers} layers, {c.NumAttentionHeads} heads ({c.NumKeyValueHeads} kv), vocab {c.VocabSize}, {c.ParameterCount:N0} parameters, {parse.GetValue(dtype)}, cpu");
            var result = RolloutBenchmark.Run(options, line => Console.Error.WriteLine(line));
            Console.WriteLine($"threads: {result.Threads}; median of {options.Repeats} interleaved runs");
            if (options.Workload)
            {
                Console.WriteLine($"workload: {options.Prompts} prompts × {options.SamplesPerPrompt} samples, {options.PromptTokens}-token prompts, lengths geometric (mean {options.MeanLength}, cap {options.MaxLength}; drawn mean {result.MeanDrawnLength:F1}), {result.GeneratedTokens:N0} tokens");
                double baseline = result.Rates[0].TokensPerSecond;
                Console.WriteLine("| sampler | tokens/s | vs static | KV tokens allocated |");
                Console.WriteLine("|---|---:|---:|---:|");
                foreach (var r in result.Rates)
                    Console.WriteLine($"| {r.Name} | {r.TokensPerSecond:F1} | {r.TokensPerSecond / baseline:F2}× | {r.KvTokens:N0} |");
                var a = result.Agreement!.Value;
                Console.WriteLine($"tokens equal to the static sampler's (up to each sequence's first difference): {a.AgreeingTokens:N0} of {a.TotalTokens:N0} ({a.Rate:P3}); " +
                    $"{a.DivergedSequences} of {result.Options.Prompts * result.Options.SamplesPerPrompt} sequences differ, {a.FlipRate:P3} of draws flipped; largest log-prob gap of equal tokens {a.MaxLogProbGap:E1}");
            }
            Console.WriteLine($"copy bandwidth (read + write): {result.CopyBandwidth / 1e9:F1} GB/s; matmul [512×{c.HiddenSize}]·[{c.HiddenSize}×{c.IntermediateSize}]: {result.MatmulFlopsPerSecond / 1e9:F0} GFLOP/s");
            if (result.Decode.Count > 0)
            {
                Console.WriteLine("| decode batch | weight layout | tokens/s | memory bound | compute bound | fraction of bound |");
                Console.WriteLine("|---:|---|---:|---:|---:|---:|");
                foreach (var d in result.Decode)
                    Console.WriteLine($"| {d.Batch} | {(d.ForInference ? "inference (column-major)" : "training (row-major)")} | {d.TokensPerSecond:F1} | {d.MemoryBoundTokensPerSecond:F1} | {d.ComputeBoundTokensPerSecond:F1} | {d.FractionOfBound:P0} |");
            }
            return 0;
        });
        return command;
    }

    static IReadOnlyList<int> Batches(string value) => value.Trim() == "none" ? []
        : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.TryParse(s, out var n) && n > 0 ? n : throw new UsageException($"--decode-batches: \"{s}\" is not a positive whole number")).ToList();

    static int Positive(int value, string option) =>
        value > 0 ? value : throw new UsageException($"{option} must be positive, got {value}");
}

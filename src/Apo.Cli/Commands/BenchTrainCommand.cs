using System.CommandLine;
using System.Text;
using System.Text.Json;
using Apo.Algorithm;
using Apo.Cli.Bench;
using Apo.Common.IO;
using Apo.Engine.Diagnostics;
using Apo.Model.Inference;
using Apo.Model.Qwen2;
using static TorchSharp.torch;

namespace Apo.Cli.Commands;

/// <summary>
/// `apo bench-train`: one stage-2 step on given responses of a random model of a real shape, for every combination
/// of the listed dtypes, response lengths, algorithms and memory switches, each in its own child process (so each
/// peak is its own). Writes bench-train.json and bench-train.md; a configuration whose result exists is not rerun.
/// </summary>
static class BenchTrainCommand
{
    public static Command Create()
    {
        var shape = new Option<string>("--shape") { Description = BenchShape.Help + ".", DefaultValueFactory = _ => "qwen2.5-0.5b" };
        var dtypes = new Option<string>("--dtypes") { Description = "Comma-separated: float32, bfloat16.", DefaultValueFactory = _ => "bfloat16" };
        var lengths = new Option<string>("--lengths") { Description = "Comma-separated response lengths in tokens.", DefaultValueFactory = _ => "512,2048" };
        var algos = new Option<string>("--algos") { Description = "Comma-separated: apo, grpo, rebel, ppo.", DefaultValueFactory = _ => "apo" };
        var checkpointing = new Option<string>("--checkpointing") { Description = "Comma-separated: on, off (activation checkpointing).", DefaultValueFactory = _ => "on" };
        var chunking = new Option<string>("--chunking") { Description = "Comma-separated: on, off (chunked log-probs; off = one [N, vocab] pass).", DefaultValueFactory = _ => "on" };
        var maxTokens = new Option<int>("--max-tokens-per-micro-batch") { Description = "Token budget of one pass (0 = unlimited).", DefaultValueFactory = _ => 16384 };
        var prompts = new Option<int>("--prompts") { Description = "Prompts in the step (GRPO and REBEL take 2 responses each).", DefaultValueFactory = _ => 1 };
        var promptTokens = new Option<int>("--prompt-tokens") { Description = "Tokens per prompt.", DefaultValueFactory = _ => 128 };
        var steps = new Option<int>("--steps") { Description = "Timed steps per configuration (median reported).", DefaultValueFactory = _ => 1 };
        var output = new Option<DirectoryInfo>("--out") { Description = "Results directory.", DefaultValueFactory = _ => new DirectoryInfo("runs/bench-train") };
        var matmul = new Option<bool>("--matmul") { Description = "Only measure this machine's matmul rates at the shape's MLP (float32, bfloat16, float16 × the forward and both backward layouts) and exit." };
        var child = new Option<FileInfo?>("--child-result") { Description = "Internal: run one configuration in this process and write its result here.", Hidden = true };
        var command = new Command("bench-train", "Time and peak memory of one stage-2 step at real shapes (random weights, given responses), FLOP/s against this machine's matmul rate.")
        {
            shape, dtypes, lengths, algos, checkpointing, chunking, maxTokens, prompts, promptTokens, steps, output, matmul, child,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            var config = BenchShape.Resolve(parse.GetValue(shape)!, "--shape");
            var configurations =
                from dtype in List(parse.GetValue(dtypes)!, "--dtypes", Dtype)
                from length in List(parse.GetValue(lengths)!, "--lengths", s => Positive(s, "--lengths"))
                from algorithm in List(parse.GetValue(algos)!, "--algos", s => AlgorithmOption.Parse(s, "--algos"))
                from ckpt in List(parse.GetValue(checkpointing)!, "--checkpointing", s => Switch(s, "--checkpointing"))
                from chunk in List(parse.GetValue(chunking)!, "--chunking", s => Switch(s, "--chunking"))
                select new TrainStepBenchmarkOptions
                {
                    Config = config,
                    DType = dtype,
                    Algorithm = algorithm,
                    ResponseTokens = length,
                    ActivationCheckpointing = ckpt,
                    ChunkElements = chunk ? ChunkedLogProbs.DefaultChunkElements : long.MaxValue,
                    MaxTokensPerMicroBatch = parse.GetValue(maxTokens) >= 0 ? parse.GetValue(maxTokens) : throw new UsageException("--max-tokens-per-micro-batch must be ≥ 0"),
                    Prompts = Positive(parse.GetValue(prompts).ToString(), "--prompts"),
                    PromptTokens = Positive(parse.GetValue(promptTokens).ToString(), "--prompt-tokens"),
                    Steps = Positive(parse.GetValue(steps).ToString(), "--steps"),
                };
            var all = configurations.ToList();
            if (parse.GetValue(matmul))
            {
                int tokens = all[0].PromptTokens + all[0].ResponseTokens;
                Console.WriteLine($"matmul [{tokens} × {config.HiddenSize}]·[{config.HiddenSize} × {config.IntermediateSize}], {get_num_threads()} threads, median of 5, GFLOP/s:");
                Console.WriteLine("dtype      NT (x·Wᵀ)  NN (g·W)  TN (gᵀ·x)");
                foreach (var dtype in new[] { ScalarType.Float32, ScalarType.BFloat16, ScalarType.Float16 })
                {
                    var rates = new[] { "NT", "NN", "TN" }.Select(l => Apo.Model.Diagnostics.MachineRates.Matmul(tokens, config.HiddenSize, config.IntermediateSize, dtype, l) / 1e9).ToArray();
                    Console.WriteLine($"{dtype,-10} {rates[0],9:F1} {rates[1],9:F1} {rates[2],10:F1}");
                }
                return 0;
            }
            if (parse.GetValue(child) is { } resultFile)
            {
                if (all.Count != 1) throw new UsageException("--child-result runs exactly one configuration");
                var result = TrainStepBenchmark.Run(all[0], line => Console.Error.WriteLine(line));
                AtomicFile.WriteAllText(resultFile.FullName, JsonSerializer.Serialize(Row(result), CliJson.Report));
                return 0;
            }
            return await RunAll(parse, all, parse.GetValue(shape)!, parse.GetValue(output)!.FullName, cancellation);
        });
        return command;
    }

    static async Task<int> RunAll(ParseResult parse, List<TrainStepBenchmarkOptions> all, string shapeName, string directory, CancellationToken cancellation)
    {
        Directory.CreateDirectory(directory);
        var rows = new List<Dictionary<string, object?>>();
        foreach (var o in all)
        {
            string name = Name(shapeName, o);
            string resultPath = Path.Combine(directory, name + ".json");
            if (!File.Exists(resultPath))
            {
                Console.WriteLine($"{name}: running (log {Path.Combine(directory, name + ".log")})");
                var args = new List<string>
                {
                    "bench-train", "--shape", shapeName, "--dtypes", DtypeName(o.DType), "--lengths", o.ResponseTokens.ToString(),
                    "--algos", o.Algorithm.CommandLineName(), "--checkpointing", o.ActivationCheckpointing ? "on" : "off",
                    "--chunking", o.ChunkElements == long.MaxValue ? "off" : "on", "--max-tokens-per-micro-batch", o.MaxTokensPerMicroBatch.ToString(),
                    "--prompts", o.Prompts.ToString(), "--prompt-tokens", o.PromptTokens.ToString(), "--steps", o.Steps.ToString(),
                    "--child-result", resultPath,
                };
                var outcome = await SelfProcess.RunAsync(args, Path.Combine(directory, name + ".log"), cancellation);
                if (outcome.ExitCode != 0)
                {
                    // A configuration that does not fit (the kernel's OOM killer ends it with SIGKILL, exit 137) is a result too.
                    rows.Add(new() { ["name"] = name, ["failed"] = true, ["exit_code"] = outcome.ExitCode,
                        ["peak_rss_gib"] = outcome.PeakResidentBytes / (1024.0 * 1024 * 1024) });
                    Console.WriteLine($"{name}: exited {outcome.ExitCode} (peak {outcome.PeakResidentBytes / (1024.0 * 1024 * 1024):F2} GiB)");
                    continue;
                }
            }
            var row = JsonSerializer.Deserialize<Dictionary<string, object?>>(File.ReadAllText(resultPath), CliJson.Report)!;
            row["name"] = name;
            rows.Add(row);
            Console.WriteLine($"{name}: step {row["step_seconds"]} s, peak {row["peak_step_rss_gib"]} GiB, {row["fraction_of_matmul_rate"]} of the matmul rate");
        }
        AtomicFile.WriteAllText(Path.Combine(directory, "bench-train.json"), JsonSerializer.Serialize(rows, CliJson.Report));
        AtomicFile.WriteAllText(Path.Combine(directory, "bench-train.md"), Markdown(rows));
        Console.WriteLine($"wrote {Path.Combine(directory, "bench-train.json")} and bench-train.md");
        return 0;
    }

    static Dictionary<string, object?> Row(TrainStepBenchmarkResult r) => new()
    {
        ["parameters"] = r.Parameters,
        ["dtype"] = DtypeName(r.Options.DType),
        ["algorithm"] = r.Options.Algorithm.CommandLineName(),
        ["prompts"] = r.Options.Prompts,
        ["sequences"] = r.Sequences,
        ["prompt_tokens"] = r.Options.PromptTokens,
        ["response_tokens"] = r.Options.ResponseTokens,
        ["activation_checkpointing"] = r.Options.ActivationCheckpointing,
        ["chunked_log_probs"] = r.Options.ChunkElements != long.MaxValue,
        ["max_tokens_per_micro_batch"] = r.Options.MaxTokensPerMicroBatch,
        ["threads"] = r.Threads,
        ["model_build_seconds"] = Math.Round(r.ModelBuildSeconds, 2),
        ["step_seconds"] = Math.Round(r.MedianStepSeconds, 2),
        ["all_step_seconds"] = r.StepSeconds.Select(s => Math.Round(s, 2)).ToArray(),
        ["rss_before_step_gib"] = Math.Round(r.ResidentBeforeStepBytes / (1024.0 * 1024 * 1024), 3),
        ["peak_step_rss_gib"] = Math.Round(r.PeakStepResidentBytes / (1024.0 * 1024 * 1024), 3),
        ["model_tflop_per_step"] = Math.Round(r.ModelFlopsPerStep / 1e12, 3),
        ["recomputed_tflop_per_step"] = Math.Round(r.RecomputedFlopsPerStep / 1e12, 3),
        ["achieved_model_gflops"] = Math.Round(r.AchievedModelFlopsPerSecond / 1e9, 1),
        ["matmul_gflops"] = Math.Round(r.MatmulFlopsPerSecond / 1e9, 1),
        ["fraction_of_matmul_rate"] = Math.Round(r.FractionOfMatmulRate, 3),
        ["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd"),
        ["machine"] = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}",
    };

    static string Markdown(List<Dictionary<string, object?>> rows)
    {
        var text = new StringBuilder("| configuration | params | seqs × tokens | step s | peak RSS GiB | model TFLOP | GFLOP/s | matmul GFLOP/s | fraction |\n|---|---|---|---|---|---|---|---|---|\n");
        foreach (var r in rows)
        {
            if (r.ContainsKey("failed"))
            {
                text.Append($"| {r["name"]} | | | exited {r["exit_code"]} | {r["peak_rss_gib"]:F2} (at exit) | | | | |\n");
                continue;
            }
            text.Append($"| {r["name"]} | {r["parameters"]} | {r["sequences"]} × ({r["prompt_tokens"]}+{r["response_tokens"]}) | {r["step_seconds"]} | {r["peak_step_rss_gib"]} | " +
                $"{r["model_tflop_per_step"]} | {r["achieved_model_gflops"]} | {r["matmul_gflops"]} | {r["fraction_of_matmul_rate"]} |\n");
        }
        return text.ToString();
    }

    static string Name(string shape, TrainStepBenchmarkOptions o) =>
        $"{BenchShape.Label(shape)}-{DtypeName(o.DType)}-{o.Algorithm.CommandLineName()}-r{o.ResponseTokens}-p{o.Prompts}" +
        $"-ckpt{(o.ActivationCheckpointing ? "on" : "off")}-chunk{(o.ChunkElements == long.MaxValue ? "off" : "on")}-mt{o.MaxTokensPerMicroBatch}";

    static IEnumerable<T> List<T>(string value, string option, Func<string, T> parse)
    {
        var items = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (items.Length == 0) throw new UsageException($"{option}: the list is empty");
        return items.Select(parse).ToList();
    }

    static ScalarType Dtype(string s) => s switch
    {
        "float32" => ScalarType.Float32,
        "bfloat16" => ScalarType.BFloat16,
        _ => throw new UsageException($"--dtypes: \"{s}\" is not float32 or bfloat16"),
    };

    static string DtypeName(ScalarType t) => t == ScalarType.Float32 ? "float32" : "bfloat16";

    static bool Switch(string s, string option) => s switch
    {
        "on" => true,
        "off" => false,
        _ => throw new UsageException($"{option}: \"{s}\" is not on or off"),
    };

    static int Positive(string s, string option) =>
        int.TryParse(s, out var n) && n > 0 ? n : throw new UsageException($"{option}: \"{s}\" is not a positive whole number");
}

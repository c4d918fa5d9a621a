using System.CommandLine;
using Apo.Cli.Evaluation;
using Apo.Engine.Evaluation;
using Apo.Engine.Prompts;
using Apo.Model;
using Apo.Model.Devices;
using Apo.Tasks.Data;
using Apo.Tasks.Evaluation;

namespace Apo.Cli.Commands;

/// <summary>
/// `apo eval`: greedy accuracy, avg@k, pass@k, lengths and (with a reference) KL on a dataset; with several
/// `--data` files (or `--table`), the paper's Table 1: one row per benchmark, the reference beside the policy.
/// </summary>
static class EvalCommand
{
    /// <summary>The paper's competition sampling (its avg@32 on AMC and AIME).</summary>
    const int CompetitionK = 32;
    const double CompetitionTemperature = 0.6, CompetitionTopP = 0.95;

    public static Command Create()
    {
        var modelOptions = new ModelOptions();
        var data = new Option<FileInfo[]>("--data")
        {
            Description = "Dataset: GSM8K/MATH JSONL, verl Parquet/JSONL or an A*-PO stage-1 export. Repeat it for one table row per benchmark.",
            Required = true,
        };
        var task = new Option<string?>("--task") { Description = "gsm8k or math (default: from the data)." };
        var k = new Option<int?>("--k") { Description = "Samples per prompt for avg@k and pass@k (default 4; 32 with --competition)." };
        var temperature = new Option<double?>("--temperature") { Description = "Sampling temperature for the k samples (default 1; 0.6 with --competition)." };
        var topP = new Option<double?>("--top-p") { Description = "Nucleus mass for the k samples (default 1; 0.95 with --competition)." };
        var competition = new Option<bool>("--competition") { Description = "The paper's competition sampling: k = 32, temperature 0.6, top-p 0.95 (each still overridable)." };
        var table = new Option<bool>("--table") { Description = "Write the benchmark table even for one --data file (several files always do)." };
        var maxNewTokens = new Option<int>("--max-new-tokens") { Description = "Longest response.", DefaultValueFactory = _ => 256 };
        var reference = new Option<DirectoryInfo?>("--reference") { Description = "Reference model directory: also report KL(π‖π_ref); in the table, also its own scores." };
        var limit = new Option<int>("--limit") { Description = "Evaluate only the first N prompts of each dataset (0 = all)." };
        var seed = new Option<long>("--seed") { Description = "Sampling seed.", DefaultValueFactory = _ => 0 };
        var batchSize = new Option<int>("--batch-size") { Description = "Sequences generated together.", DefaultValueFactory = _ => 32 };
        var chat = new Option<bool>("--chat-template") { Description = "Wrap each prompt as a user turn of the tokenizer's chat template." };
        var skipBad = new Option<bool>("--skip-bad-rows") { Description = "Skip malformed rows (and report how many) instead of failing." };
        var output = new Option<FileInfo?>("--out")
        {
            Description = "Where to write the JSON report (default: eval-<data>.json beside the model; for a table, eval-table.json, with eval-table.md beside it).",
        };
        var command = new Command("eval", "Evaluate a model on one dataset, or on several as one table beside its reference, and write the metrics as JSON.")
        {
            data, task, k, temperature, topP, competition, table, maxNewTokens, reference, limit, seed, batchSize, chat, skipBad, output,
        };
        modelOptions.AddTo(command);
        command.SetAction(parse =>
        {
            bool paper = parse.GetValue(competition);
            var settings = new EvaluationSettings
            {
                K = parse.GetValue(k) ?? (paper ? CompetitionK : 4),
                Temperature = parse.GetValue(temperature) ?? (paper ? CompetitionTemperature : 1.0),
                TopP = parse.GetValue(topP) ?? (paper ? CompetitionTopP : 1.0),
                MaxNewTokens = parse.GetValue(maxNewTokens), Seed = parse.GetValue(seed), BatchSize = parse.GetValue(batchSize),
            };
            if (settings.K <= 0 || settings.BatchSize <= 0 || settings.MaxNewTokens <= 0)
                throw new UsageException("--k, --batch-size and --max-new-tokens must be positive");
            var files = parse.GetValue(data)!;
            var names = files.Select(f => Path.GetFileNameWithoutExtension(f.Name)).ToList();
            if (names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1) is { } twice)
                throw new UsageException($"--data: two files are both named \"{twice.Key}\" (a benchmark is named by its file): rename one");
            // Every dataset is read (and a bad one named) before any model is loaded or anything written.
            var benchmarks = files.Select(f => Read(f.FullName, parse.GetValue(task), parse.GetValue(skipBad), parse.GetValue(limit))).ToList();

            using var loaded = modelOptions.Load(parse);
            using var referenceModel = parse.GetValue(reference) is { } r
                ? ModelDirectory.LoadModel(r.FullName, DeviceExecutor.ParseDevice(parse.GetValue(modelOptions.Device)!), forInference: true)
                : null;
            EvaluationReport Evaluate(Apo.Model.Qwen2.Qwen2ForCausalLM policy, Apo.Model.Qwen2.Qwen2ForCausalLM? against, Benchmark b, string? checkpoint)
            {
                var prompts = b.Examples.Select(e => PromptEncoder.Encode(e, loaded.Tokenizer, parse.GetValue(chat))).ToList();
                return PolicyEvaluator.Evaluate(policy, loaded.Tokenizer, against, prompts, b.Task, settings, checkpoint) with { Split = Path.GetFileName(b.Path) };
            }

            if (files.Length == 1 && !parse.GetValue(table))
            {
                var report = Evaluate(loaded.Model, referenceModel, benchmarks[0], loaded.Directory);
                string outPath = parse.GetValue(output)?.FullName
                    ?? Path.Combine(loaded.Directory, $"eval-{Path.GetFileNameWithoutExtension(benchmarks[0].Path)}.json");
                report.Save(outPath);
                Console.Out.WriteLine(report.ToJson());
                Console.Error.WriteLine($"apo eval: wrote {outPath}");
                return 0;
            }

            var rows = new List<EvaluationTable.Row>();
            foreach (var (b, name) in benchmarks.Zip(names))
            {
                Console.Error.WriteLine($"apo eval: {name} ({b.Examples.Count} prompts)...");
                var policyReport = Evaluate(loaded.Model, referenceModel, b, loaded.Directory);
                var referenceReport = referenceModel is null ? null : Evaluate(referenceModel, null, b, parse.GetValue(reference)!.FullName);
                rows.Add(new EvaluationTable.Row(name, b.Path, policyReport, referenceReport));
            }
            var result = new EvaluationTable(loaded.Directory, parse.GetValue(reference)?.FullName, rows);
            string tablePath = parse.GetValue(output)?.FullName ?? Path.Combine(loaded.Directory, "eval-table.json");
            result.Save(tablePath);
            Console.Out.Write(result.ToMarkdown());
            Console.Error.WriteLine($"apo eval: wrote {tablePath} and {Path.ChangeExtension(tablePath, ".md")}");
            return 0;
        });
        return command;
    }

    sealed record Benchmark(string Path, string Task, IReadOnlyList<PromptExample> Examples);

    static Benchmark Read(string path, string? task, bool skipBadRows, int limit)
    {
        var read = DatasetReader.Read(path, new DatasetReadOptions { Task = task, SkipBadRows = skipBadRows });
        if (read.SkippedRows > 0) Console.Error.WriteLine($"apo eval: skipped {read.SkippedRows} malformed rows of {path}");
        var examples = limit > 0 ? read.Examples.Take(limit).ToList() : read.Examples.ToList();
        return new Benchmark(path, task ?? SingleTask(examples, path), examples);
    }

    static string SingleTask(IReadOnlyList<PromptExample> examples, string path)
    {
        var tasks = examples.Select(e => e.Task).Distinct().ToList();
        return tasks.Count == 1 ? tasks[0]
            : throw new UsageException($"{path} mixes tasks ({string.Join(", ", tasks)}): pick one with --task");
    }
}

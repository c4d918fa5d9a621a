using System.CommandLine;
using Apo.Engine.Evaluation;
using Apo.Engine.Prompts;
using Apo.Model;
using Apo.Model.Devices;
using Apo.Tasks.Data;

namespace Apo.Cli.Commands;

/// <summary>`apo eval`: greedy accuracy, avg@k, pass@k, lengths and (with a reference) KL on a dataset.</summary>
static class EvalCommand
{
    public static Command Create()
    {
        var modelOptions = new ModelOptions();
        var data = new Option<FileInfo>("--data") { Description = "Dataset: GSM8K/MATH JSONL, verl Parquet/JSONL or an A*-PO stage-1 export.", Required = true };
        var task = new Option<string?>("--task") { Description = "gsm8k or math (default: from the data)." };
        var k = new Option<int>("--k") { Description = "Samples per prompt for avg@k and pass@k.", DefaultValueFactory = _ => 4 };
        var temperature = new Option<double>("--temperature") { Description = "Sampling temperature for the k samples.", DefaultValueFactory = _ => 1.0 };
        var topP = new Option<double>("--top-p") { Description = "Nucleus mass for the k samples.", DefaultValueFactory = _ => 1.0 };
        var maxNewTokens = new Option<int>("--max-new-tokens") { Description = "Longest response.", DefaultValueFactory = _ => 256 };
        var reference = new Option<DirectoryInfo?>("--reference") { Description = "Reference model directory: also report KL(π‖π_ref)." };
        var limit = new Option<int>("--limit") { Description = "Evaluate only the first N prompts (0 = all)." };
        var seed = new Option<long>("--seed") { Description = "Sampling seed.", DefaultValueFactory = _ => 0 };
        var batchSize = new Option<int>("--batch-size") { Description = "Sequences generated together.", DefaultValueFactory = _ => 32 };
        var chat = new Option<bool>("--chat-template") { Description = "Wrap each prompt as a user turn of the tokenizer's chat template." };
        var skipBad = new Option<bool>("--skip-bad-rows") { Description = "Skip malformed rows (and report how many) instead of failing." };
        var output = new Option<FileInfo?>("--out") { Description = "Where to write the JSON report (default: eval-<data>.json beside the model)." };
        var command = new Command("eval", "Evaluate a model on a dataset and write the metrics as JSON.")
        {
            data, task, k, temperature, topP, maxNewTokens, reference, limit, seed, batchSize, chat, skipBad, output,
        };
        modelOptions.AddTo(command);
        command.SetAction(parse =>
        {
            var settings = new EvaluationSettings
            {
                K = parse.GetValue(k), Temperature = parse.GetValue(temperature), TopP = parse.GetValue(topP),
                MaxNewTokens = parse.GetValue(maxNewTokens), Seed = parse.GetValue(seed), BatchSize = parse.GetValue(batchSize),
            };
            if (settings.K <= 0 || settings.BatchSize <= 0 || settings.MaxNewTokens <= 0)
                throw new UsageException("--k, --batch-size and --max-new-tokens must be positive");
            string dataPath = parse.GetValue(data)!.FullName;
            var read = DatasetReader.Read(dataPath, new DatasetReadOptions { Task = parse.GetValue(task), SkipBadRows = parse.GetValue(skipBad) });
            if (read.SkippedRows > 0) Console.Error.WriteLine($"apo eval: skipped {read.SkippedRows} malformed rows of {dataPath}");
            var examples = parse.GetValue(limit) > 0 ? read.Examples.Take(parse.GetValue(limit)).ToList() : read.Examples.ToList();
            string taskName = parse.GetValue(task) ?? SingleTask(examples, dataPath);

            using var loaded = modelOptions.Load(parse);
            using var referenceModel = parse.GetValue(reference) is { } r
                ? ModelDirectory.LoadModel(r.FullName, DeviceExecutor.ParseDevice(parse.GetValue(modelOptions.Device)!), forInference: true)
                : null;
            var prompts = examples.Select(e => PromptEncoder.Encode(e, loaded.Tokenizer, parse.GetValue(chat))).ToList();
            var report = PolicyEvaluator.Evaluate(loaded.Model, loaded.Tokenizer, referenceModel, prompts, taskName, settings, loaded.Directory)
                with { Split = Path.GetFileName(dataPath) };

            string outPath = parse.GetValue(output)?.FullName
                ?? Path.Combine(loaded.Directory, $"eval-{Path.GetFileNameWithoutExtension(dataPath)}.json");
            report.Save(outPath);
            Console.Out.WriteLine(report.ToJson());
            Console.Error.WriteLine($"apo eval: wrote {outPath}");
            return 0;
        });
        return command;
    }

    static string SingleTask(IReadOnlyList<PromptExample> examples, string path)
    {
        var tasks = examples.Select(e => e.Task).Distinct().ToList();
        return tasks.Count == 1 ? tasks[0]
            : throw new UsageException($"{path} mixes tasks ({string.Join(", ", tasks)}): pick one with --task");
    }
}

using System.CommandLine;
using System.Collections.Immutable;
using Apo.Abstractions.Runs;
using Apo.Abstractions.StageOne;
using Apo.Abstractions.Training;
using Apo.Abstractions.Weights;
using Apo.Tasks.Data;

namespace Apo.Cli.Commands;

/// <summary>
/// Options of `apo stage1` and `apo train`: a Hugging Face model directory as the reference, any
/// supported dataset, and the paper's settings as defaults (DESIGN §2).
/// </summary>
sealed class PipelineOptions
{
    public Option<DirectoryInfo> Model { get; } = new("--model") { Description = "Reference model: a Hugging Face model directory (also the initial policy).", Required = true };
    public Option<FileInfo> Data { get; } = new("--data") { Description = "Training prompts: GSM8K/MATH JSONL, verl Parquet/JSONL, or an A*-PO stage-1 export (its samples are imported, not resampled).", Required = true };
    public Option<DirectoryInfo> Out { get; } = new("--out") { Description = "Run directory (rerun with the same one to resume).", Required = true };
    public Option<string?> Task { get; } = new("--task") { Description = "gsm8k or math (default: from the data)." };
    public Option<int> Limit { get; } = new("--limit") { Description = "Use only the first N prompts (0 = all)." };
    public Option<bool> SkipBadRows { get; } = new("--skip-bad-rows") { Description = "Skip malformed rows (and report how many) instead of failing." };
    public Option<bool> ChatTemplate { get; } = new("--chat-template") { Description = "Wrap each prompt as a user turn of the tokenizer's chat template." };
    public Option<int> MaxPromptTokens { get; } = new("--max-prompt-tokens") { Description = "Keep at most the last N prompt tokens (paper 256; 0 = no limit).", DefaultValueFactory = _ => 256 };
    public Option<long> Seed { get; } = new("--seed") { Description = "Seed of every sampling and shuffle.", DefaultValueFactory = _ => 0 };
    public Option<int> Samples { get; } = new("--n") { Description = "Stage 1: reference samples per prompt (paper 8).", DefaultValueFactory = _ => 8 };
    public Option<double> Beta1 { get; } = new("--beta1") { Description = "Stage 1: β1 of V̂* (paper 0.5; 0 = plain mean).", DefaultValueFactory = _ => 0.5 };
    public Option<bool> DropAllZero { get; } = new("--drop-all-zero") { Description = "Stage 1: drop prompts whose N samples all scored 0; stage 2 then makes as many passes over the kept prompts as it would have over all (fewer iterations)." };
    public Option<double> Temperature { get; } = new("--temperature") { Description = "Sampling temperature of both stages.", DefaultValueFactory = _ => 1.0 };
    public Option<double> TopP { get; } = new("--top-p") { Description = "Sampling top-p of both stages.", DefaultValueFactory = _ => 1.0 };
    public Option<int> MaxNewTokens { get; } = new("--max-new-tokens") { Description = "Longest response (paper 1024).", DefaultValueFactory = _ => 1024 };
    public Option<int> PromptsPerWorkUnit { get; } = new("--prompts-per-work-unit") { Description = "Stage 1: prompts per generator work unit.", DefaultValueFactory = _ => 16 };
    public Option<FileInfo> SiloConfig { get; } = new("--silo-config") { Description = "Silo configuration.", DefaultValueFactory = _ => new FileInfo(RunCommand.DefaultSiloConfig()) };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Model, Data, Out, Task, Limit, SkipBadRows, ChatTemplate, MaxPromptTokens, Seed, Samples, Beta1, DropAllZero,
                     Temperature, TopP, MaxNewTokens, PromptsPerWorkUnit, SiloConfig })
            command.Options.Add(option);
    }

    /// <summary>Reads and validates the whole dataset before anything is written, so bad data leaves no state behind.</summary>
    public IReadOnlyList<PromptExample> ReadData(ParseResult parse)
    {
        string path = parse.GetValue(Data)!.FullName;
        var read = DatasetReader.Read(path, new DatasetReadOptions { Task = parse.GetValue(Task), SkipBadRows = parse.GetValue(SkipBadRows) });
        if (read.SkippedRows > 0) Console.Error.WriteLine($"apo: skipped {read.SkippedRows} malformed rows of {path}");
        int limit = parse.GetValue(Limit);
        return limit > 0 ? read.Examples.Take(limit).ToList() : read.Examples;
    }

    public SamplingSettings Sampling(ParseResult parse) =>
        Checked(new SamplingSettings(parse.GetValue(Temperature), parse.GetValue(TopP), 0, parse.GetValue(MaxNewTokens)));

    public StageOneSettings StageOne(ParseResult parse)
    {
        int n = parse.GetValue(Samples), unit = parse.GetValue(PromptsPerWorkUnit);
        double beta1 = parse.GetValue(Beta1);
        if (n <= 0) throw new UsageException($"--n must be positive, got {n}");
        if (unit <= 0) throw new UsageException($"--prompts-per-work-unit must be positive, got {unit}");
        if (!(beta1 >= 0)) throw new UsageException($"--beta1 must be ≥ 0, got {beta1}");
        return new StageOneSettings(n, beta1, Sampling(parse), parse.GetValue(Seed), parse.GetValue(DropAllZero), unit);
    }

    public static RunSpec Spec(string runId, ReferenceModel reference, ImmutableArray<string> promptKeys, StageOneSettings stageOne,
        StageTwoSettings stageTwo, string outputDirectory) =>
        new(runId, reference, promptKeys, [], stageOne, stageTwo, outputDirectory);

    static SamplingSettings Checked(SamplingSettings sampling) =>
        sampling.Problem() is { } problem ? throw new UsageException(problem) : sampling;
}

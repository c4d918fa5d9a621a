using System.CommandLine;
using Apo.Tasks.Synthetic;

namespace Apo.Cli.Commands;

/// <summary>`apo synthetic`: writes the embedded default's arithmetic word problems as GSM8K-format JSONL.</summary>
static class SyntheticCommand
{
    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "Directory for train.jsonl and test.jsonl.", Required = true };
        var preset = new Option<string>("--preset") { Description = "tiny or default.", DefaultValueFactory = _ => "default" };
        var seed = new Option<ulong?>("--seed") { Description = "Generation seed (default: the preset's)." };
        var command = new Command("synthetic", "Write the synthetic arithmetic task (GSM8K format, disjoint train/test splits).") { output, preset, seed };
        command.SetAction(parse =>
        {
            var options = parse.GetValue(preset) switch
            {
                "tiny" => SyntheticTaskOptions.Tiny,
                "default" => SyntheticTaskOptions.Default,
                var other => throw new UsageException($"--preset must be tiny or default, got \"{other}\""),
            };
            if (parse.GetValue(seed) is { } s) options = options with { Seed = s };
            var files = ArithmeticWordProblems.WriteSplits(parse.GetValue(output)!.FullName, options);
            Console.WriteLine($"wrote {files.TrainPath} ({options.TrainCount} problems) and {files.TestPath} ({options.TestCount})");
            return 0;
        });
        return command;
    }
}

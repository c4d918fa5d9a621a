using System.CommandLine;
using Apo.Abstractions.Training;
using Apo.Cli.Runs;

namespace Apo.Cli.Commands;

/// <summary>`apo stage1`: N reference samples per prompt and V̂*, written as an A*-PO stage-1 export.</summary>
static class StageOneCommand
{
    public static Command Create()
    {
        var options = new PipelineOptions();
        var command = new Command("stage1", "Stage 1 only: sample N responses per prompt from the reference, score them, store V̂*, and write <out>/stage1.parquet.");
        options.AddTo(command);
        command.SetAction(async (parse, _) =>
        {
            var examples = options.ReadData(parse);
            var stageOne = options.StageOne(parse);
            var noTraining = new StageTwoSettings("astar-po", 1e-3, 1e-6, 0.01, 1.0, 1, 1, 0, stageOne.Sampling, 1, 0, stageOne.Seed);
            var result = await DatasetRun.ExecuteAsync(new DatasetRun.Request(parse.GetValue(options.Model)!.FullName, parse.GetValue(options.Data)!.FullName,
                examples, new RunLayout(parse.GetValue(options.Out)!.FullName), stageOne, noTraining, parse.GetValue(options.SiloConfig)!.FullName,
                parse.GetValue(options.ChatTemplate), parse.GetValue(options.MaxPromptTokens)));
            Console.WriteLine($"stage 1: {result.StageOne.PromptsWithVStar} of {result.StageOne.Prompts} prompts have V̂* (mean {result.StageOne.MeanVStar:F4}); wrote {result.StageOneExport}");
            return 0;
        });
        return command;
    }
}

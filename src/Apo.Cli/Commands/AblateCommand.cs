using System.CommandLine;
using Apo.Cli.Ablation;
using Apo.Cli.Bench;
using Spectre.Console;

namespace Apo.Cli.Commands;

/// <summary>`apo ablate`: the paper's ablations of A*-PO (N, β1, filtering) on the embedded task over several seeds.</summary>
static class AblateCommand
{
    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "Ablation directory (rerun with the same one to resume).", DefaultValueFactory = _ => new DirectoryInfo("runs/ablate") };
        var preset = new Option<string>("--preset") { Description = "tiny or default.", DefaultValueFactory = _ => "tiny" };
        var config = new Option<FileInfo?>("--config") { Description = "JSON overlay on the preset, as for `apo run --config` (the sweeps start from it)." };
        var knob = new Option<string>("--knob")
        {
            Description = "samples (N ∈ 1,2,4,8,16), beta1 (0 = mean, 0.1, 0.5, 1, 2), filter (drop pass@N = 0 prompts, off/on at N ∈ 2,8) or all.",
            DefaultValueFactory = _ => "all",
        };
        var seeds = new Option<string>("--seeds") { Description = "A count (3 = seeds 1..3) or a list (1,2,3); each seed trains its own reference.", DefaultValueFactory = _ => "3" };
        var command = new Command("ablate", "Sweep one knob of A*-PO at a time (N, β1, filtering) on several seeds, each setting its own `apo run`; " +
            "writes ablate.json, ablate.md and the loss, reward and accuracy panels per knob.")
        {
            output, preset, config, knob, seeds,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            var knobs = AblationKnobs.Parse(parse.GetValue(knob)!);
            var seedList = SeedList.Parse(parse.GetValue(seeds)!);
            var configFile = parse.GetValue(config);
            if (configFile is { Exists: false }) throw new FileNotFoundException($"{configFile.FullName}: config file not found", configFile.FullName);
            var request = new AblationRun.Request(parse.GetValue(output)!.FullName, parse.GetValue(preset)!, configFile?.FullName, knobs, seedList);
            var report = await AblationRun.ExecuteAsync(request, line => Console.Error.WriteLine($"ablate: {line}"), cancellation);
            AnsiConsole.WriteLine();
            AnsiConsole.Write(new Markup(Markup.Escape(report.ToMarkdown())));
            AnsiConsole.MarkupLine($"[green]done[/]: {Markup.Escape(Path.Combine(request.Out, "ablate.json"))}");
            return 0;
        });
        return command;
    }
}

using System.CommandLine;
using Apo.Algorithm;
using Apo.Cli.Runs;
using Apo.Engine.Presets;
using Spectre.Console;

namespace Apo.Cli.Commands;

/// <summary>
/// `apo run`: the embedded default. With no arguments: synthetic task → supervised reference →
/// stage 1 (N = 8) → stage 2 (A*-PO) → evaluation of reference vs trained, in one process with no
/// services. `--algo grpo|rebel|ppo` swaps the stage-2 learner (the baselines skip stage 1).
/// Rerunning the same command after a crash resumes it.
/// </summary>
static class RunCommand
{
    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "Run directory (created; rerun with the same one to resume).", DefaultValueFactory = _ => new DirectoryInfo("runs/embedded") };
        var seed = new Option<long?>("--seed") { Description = "Seed of the model init, SFT order, sampling and evaluation (default: the preset's)." };
        var preset = new Option<string>("--preset") { Description = "tiny (about 2 minutes on 2 cores) or default (about 5).", DefaultValueFactory = _ => "default" };
        var config = new Option<FileInfo?>("--config") { Description = "JSON file overriding any knob of the preset, e.g. {\"stageTwo\": {\"beta2\": 0.02}}." };
        var siloConfig = new Option<FileInfo>("--silo-config") { Description = "Silo configuration of the embedded silo (not with --cluster).", DefaultValueFactory = _ => new FileInfo(DefaultSiloConfig()) };
        var cluster = new Option<FileInfo?>("--cluster")
        {
            Description = "Client configuration of a running cluster (e.g. silo-config/cluster-client.json): the run's grains live on its silos, " +
                "which must read and write --out (shared storage); weight versions travel through their weight store (Azure Blob by default).",
        };
        var algorithm = new Option<string?>("--algo") { Description = "Stage-2 learner: apo (A*-PO, default), grpo, rebel or ppo — same data, model and optimizer." };
        var maxStaleness = StalenessOption.Create();
        var runId = new Option<string?>("--run-id") { Description = "With --cluster: the run's id on the cluster (default: derived from --out, so rerunning resumes)." };
        var command = new Command("run", "Run the whole A*-PO pipeline on the embedded default (no services needed), or on a running cluster.")
        {
            output, seed, preset, config, siloConfig, cluster, runId, algorithm, maxStaleness,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            var settings = Resolve(parse.GetValue(preset)!, parse.GetValue(config)?.FullName, parse.GetValue(seed), parse.GetValue(algorithm),
                parse.GetValue(maxStaleness));
            var layout = new RunLayout(parse.GetValue(output)!.FullName);
            var clusterConfig = parse.GetValue(cluster);
            if (clusterConfig is null && parse.GetValue(runId) is not null) throw new UsageException("--run-id applies only with --cluster");
            if (clusterConfig is not null && parse.GetResult(siloConfig) is { Implicit: false })
                throw new UsageException("--silo-config and --cluster exclude each other: a cluster run hosts no silo");
            if (clusterConfig is not null && !clusterConfig.Exists)
                throw new FileNotFoundException($"{clusterConfig.FullName}: cluster client configuration not found", clusterConfig.FullName);
            var summary = clusterConfig is null
                ? await PipelineRun.ExecuteEmbeddedAsync(layout, settings, parse.GetValue(siloConfig)!.FullName)
                : await PipelineRun.ExecuteOnClusterAsync(layout, settings, ClusterRunId.Resolve(parse.GetValue(runId), layout.Root), clusterConfig.FullName);
            AnsiConsole.WriteLine();
            AnsiConsole.Write(new Markup(Markup.Escape(summary.ToMarkdown())));
            AnsiConsole.WriteLine();
            AnsiConsole.MarkupLine($"[green]done[/]: {Markup.Escape(layout.SummaryJson)}, {Markup.Escape(layout.Policy)}");
            return 0;
        });
        return command;
    }

    /// <summary>The preset named on the command line, with the config file, seed and algorithm laid over it, validated.</summary>
    internal static EmbeddedPreset Resolve(string presetName, string? configPath, long? seed, string? algorithm = null, int? maxStaleness = null)
    {
        EmbeddedPreset preset;
        try
        {
            preset = EmbeddedPreset.Named(presetName);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--preset: {e.Message}");
        }
        if (configPath is not null)
        {
            if (!File.Exists(configPath)) throw new FileNotFoundException($"{configPath}: config file not found", configPath);
            preset = EmbeddedPresetJson.Overlay(preset, File.ReadAllText(configPath), configPath);
        }
        if (seed is { } s) preset = preset with { Seed = s, Sft = preset.Sft with { Seed = s } };
        if (algorithm is not null)
            preset = preset with { StageTwo = preset.StageTwo with { Algorithm = AlgorithmOption.Parse(algorithm, "--algo").Name() } };
        if (maxStaleness is { } k)
        {
            StalenessOption.Check(k, preset.StageTwo.Algorithm);
            preset = preset with { StageTwo = preset.StageTwo with { MaxStaleness = k } };
        }
        preset.Validate(configPath ?? $"preset {presetName}");
        return preset;
    }

    /// <summary>silo-config/embedded.json, copied beside the program by the build.</summary>
    internal static string DefaultSiloConfig() => Path.Combine(AppContext.BaseDirectory, "silo-config", "embedded.json");
}

using System.CommandLine;
using Apo.Algorithm;
using Apo.Cli.Bench;
using Spectre.Console;

namespace Apo.Cli.Commands;

/// <summary>`apo bench`: A*-PO against GRPO, REBEL and PPO, and against itself with asynchronous stage 2, on the embedded task — time, peak memory, KL, accuracy.</summary>
static class BenchCommand
{
    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "Bench directory (rerun with the same one to resume).", DefaultValueFactory = _ => new DirectoryInfo("runs/bench") };
        var preset = new Option<string>("--preset") { Description = "tiny or default.", DefaultValueFactory = _ => "tiny" };
        var seed = new Option<long?>("--seed") { Description = "Seed of everything (default: the preset's)." };
        var seeds = new Option<string?>("--seeds")
        {
            Description = "Run every algorithm on every seed: a count (5 = seeds 1..5) or a list (1,2,3). Each seed trains its own reference " +
                "in <out>/seed-<s>; bench.json reports means, spreads, paired differences and how many seeds each expectation held on.",
        };
        var config = new Option<FileInfo?>("--config") { Description = "JSON overlay on the preset, as for `apo run --config` (applies to every algorithm)." };
        var algorithms = new Option<string>("--algos")
        {
            Description = "Comma-separated subset of apo,grpo,rebel,ppo,apo-async (apo-async: A*-PO with --max-staleness 1).",
            DefaultValueFactory = _ => string.Join(",", BenchKeys.All),
        };
        var command = new Command("bench", "Run A*-PO, GRPO, REBEL, PPO and asynchronous A*-PO on the same task, seed and prompt updates, each in its own process; " +
            "writes bench.json, bench.md and bar charts.")
        {
            output, preset, seed, seeds, config, algorithms,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            var keys = ParseAlgorithms(parse.GetValue(algorithms)!);
            var configFile = parse.GetValue(config);
            if (configFile is { Exists: false }) throw new FileNotFoundException($"{configFile.FullName}: config file not found", configFile.FullName);
            var seedList = parse.GetValue(seeds) is { } text ? SeedList.Parse(text) : null;
            if (seedList is not null && parse.GetValue(seed) is not null) throw new UsageException("--seeds: give either --seed or --seeds, not both");
            var request = new BenchRun.Request(parse.GetValue(output)!.FullName, parse.GetValue(preset)!, parse.GetValue(seed), configFile?.FullName, keys);
            void Progress(string line) => Console.Error.WriteLine($"bench: {line}");
            string markdown = seedList is null
                ? (await BenchRun.ExecuteAsync(request, Progress, cancellation)).ToMarkdown()
                : (await MultiSeedBenchRun.ExecuteAsync(request, seedList, Progress, cancellation)).ToMarkdown();
            AnsiConsole.WriteLine();
            AnsiConsole.Write(new Markup(Markup.Escape(markdown)));
            AnsiConsole.MarkupLine($"[green]done[/]: {Markup.Escape(Path.Combine(request.Out, "bench.json"))}");
            return 0;
        });
        return command;
    }

    /// <summary>Bench keys (apo, grpo, rebel, ppo, apo-async) in the order given, each once.</summary>
    static IReadOnlyList<string> ParseAlgorithms(string list)
    {
        var keys = new List<string>();
        foreach (var item in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string key = BenchKeys.TryParse(item)
                ?? throw new UsageException($"--algos: unknown algorithm \"{item}\" (expected apo, grpo, rebel, ppo or apo-async)");
            if (!keys.Contains(key)) keys.Add(key);
        }
        if (keys.Count == 0) throw new UsageException("--algos: name at least one algorithm");
        return keys;
    }
}

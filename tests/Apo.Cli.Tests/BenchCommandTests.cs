using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Apo.Cli.Tests;

/// <summary>
/// `apo bench` end to end: every row (the four algorithms and apo-async) each in its own child process, on a small
/// version of the tiny preset. The bench's figures come from `apo bench --preset tiny` itself (docs/BENCHMARKS.md); this
/// test checks what the command computes and writes, and that a finished bench is read back, not rerun.
/// </summary>
public class BenchCommandTests
{
    static readonly string[] Rows = ["apo", "grpo", "rebel", "ppo", "apo-async"];

    const string Small = """
        {
          "sft": { "steps": 60 },
          "stageOne": { "prompts": 48 },
          "stageTwo": { "promptsPerBatch": 16, "iterations": 6, "checkpointEvery": 3 },
          "evaluation": { "heldOutPrompts": 24 }
        }
        """;

    [Fact]
    [Trait("Category", "Slow")]
    public void TheBenchRunsEveryRowFromOneReferenceAndResumesWithoutRerunning()
    {
        using var dir = new TempDirectory();
        string output = dir.File("bench"), config = dir.Write("small.json", Small);
        var clock = Stopwatch.StartNew();
        var result = ApoProcess.Run(TimeSpan.FromMinutes(15), "bench", "--preset", "tiny", "--config", config, "--out", output);
        clock.Stop();
        Assert.True(result.ExitCode == 0, result.StdErr);

        var bench = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "bench.json")))!;
        var algorithms = bench["algorithms"]!.AsObject();
        Assert.Equal(Rows, algorithms.Select(p => p.Key).ToArray());
        byte[] reference = File.ReadAllBytes(Path.Combine(output, "reference", "model.safetensors"));
        foreach (var key in Rows)
        {
            var r = algorithms[key]!;
            Assert.True((double)r["seconds"]! > 0, $"{key} seconds");
            Assert.InRange((double)r["peak_rss_mb"]!, 50, 20_000);
            Assert.InRange((double)r["peak_tensor_mb"]!, 0, 20_000);
            Assert.True(double.IsFinite((double)r["kl"]!) && (double)r["kl"]! >= -0.5, $"{key} kl {r["kl"]}");
            Assert.InRange((double)r["greedy_accuracy"]!, 0, 1);
            Assert.InRange((double)r["avg_at_k"]!, 0, 1);
            // Seconds are the training's: stage 1 for A*-PO only, plus stage 2.
            Assert.Equal((double)r["stage1_seconds"]! + (double)r["stage2_seconds"]!, (double)r["seconds"]!, 6);
            Assert.Equal(key.StartsWith("apo"), (double)r["stage1_seconds"]! > 0);

            string run = Path.Combine(output, key);
            var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "summary.json")))!;
            Assert.Equal(key.StartsWith("apo") ? "astar-po" : key, (string)summary["algorithm"]!);
            var lines = File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
            Assert.Equal(6, lines.Count); // the same prompt updates for all
            // apo-async is A*-PO with --max-staleness 1: every batch after the first sampled one version behind.
            Assert.Equal(key == "apo-async" ? [0L, 1, 1, 1, 1, 1] : new long[6], lines.Select(l => (long)l["staleness"]!).ToArray());
            // One reference for all: every child started from the same weights.
            Assert.Equal(reference, File.ReadAllBytes(Path.Combine(run, "reference", "model.safetensors")));
        }
        // apo-async's ratios to A*-PO are this bench's own figures.
        var apo = algorithms["apo"]!;
        var async = algorithms["apo-async"]!;
        Assert.Equal((double)async["stage2_seconds"]! / (double)apo["stage2_seconds"]!, (double)bench["apo_async_ratios"]!["stage2_seconds"]!, 9);
        Assert.Equal((double)async["kl"]! / (double)apo["kl"]!, (double)bench["apo_async_ratios"]!["kl"]!, 9);
        Assert.Equal(["grpo", "rebel", "ppo"], bench["apo_ratios"]!["seconds"]!.AsObject().Select(p => p.Key).ToArray());
        Assert.Contains(bench["expectations"]!.AsArray(), e => ((string)e!["claim"]!).StartsWith("apo-async stage-2 time"));
        foreach (var chart in new[] { "seconds.png", "peak_rss.png", "peak_tensor.png", "kl.png", "avg_at_k.png" })
            Assert.True(new FileInfo(Path.Combine(output, "plots", chart)).Length > 1000, chart);
        string markdown = File.ReadAllText(Path.Combine(output, "bench.md"));
        foreach (var key in Rows) Assert.Contains($"| {key} |", markdown);
        Console.WriteLine($"apo bench (small tiny config) took {clock.Elapsed.TotalSeconds:F0} s");
        Console.WriteLine(markdown);

        // Rerunning the finished bench reads every row back instead of training it again.
        var again = ApoProcess.Run(TimeSpan.FromMinutes(3), "bench", "--preset", "tiny", "--config", config, "--out", output);
        Assert.True(again.ExitCode == 0, again.StdErr);
        foreach (var key in Rows) Assert.Contains($"{key}: finished earlier", again.StdErr);
        var reread = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "bench.json")))!;
        Assert.Equal(algorithms.ToJsonString(), reread["algorithms"]!.ToJsonString());
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void OverSeedsEachSeedTrainsItsOwnReferenceAndTheReportIsTheSeedsOwnFigures()
    {
        using var dir = new TempDirectory();
        string output = dir.File("bench"), config = dir.Write("small.json", Small);
        var result = ApoProcess.Run(TimeSpan.FromMinutes(15), "bench", "--preset", "tiny", "--config", config, "--seeds", "2", "--algos", "apo,grpo", "--out", output);
        Assert.True(result.ExitCode == 0, result.StdErr);

        var bench = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "bench.json")))!;
        Assert.Equal([1L, 2], bench["seeds"]!.AsArray().Select(s => (long)s!).ToArray());
        var perSeed = new[] { 1, 2 }.Select(s => JsonNode.Parse(File.ReadAllText(Path.Combine(output, $"seed-{s}", "bench.json")))!).ToArray();
        Assert.Equal([1L, 2], perSeed.Select(r => (long)r["seed"]!).ToArray());
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(output, "seed-1", "reference", "model.safetensors")),
            File.ReadAllBytes(Path.Combine(output, "seed-2", "reference", "model.safetensors")));
        foreach (var figure in new[] { "seconds", "kl", "greedy_accuracy", "avg_at_k" })
        {
            double Of(int seed, string key) => (double)perSeed[seed]["algorithms"]![key]![figure]!;
            foreach (var key in new[] { "apo", "grpo" })
            {
                var spread = bench["algorithms"]![key]![figure]!;
                Assert.Equal([Of(0, key), Of(1, key)], spread["values"]!.AsArray().Select(v => (double)v!).ToArray());
                Assert.Equal((Of(0, key) + Of(1, key)) / 2, (double)spread["mean"]!, 12);
            }
            var paired = bench["apo_paired_differences"]!["grpo"]![figure]!["values"]!.AsArray().Select(v => (double)v!).ToArray();
            Assert.Equal(Of(0, "apo") - Of(0, "grpo"), paired[0], 12);
            Assert.Equal(Of(1, "apo") - Of(1, "grpo"), paired[1], 12);
        }
        var smallestKl = bench["expectations"]!.AsArray().Single(e => (string)e!["claim"]! == "A*-PO has the smallest KL")!;
        int held = perSeed.Count(r => r["expectations"]!.AsArray().Any(e => (string)e!["claim"]! == "A*-PO has the smallest KL" && (bool)e["met"]!));
        Assert.Equal(held, (int)smallestKl["seeds_met"]!);
        foreach (var chart in new[] { "seconds.png", "kl.png", "greedy_accuracy.png", "avg_at_k.png", "paired_kl.png", "paired_avg_at_k.png" })
            Assert.True(new FileInfo(Path.Combine(output, "plots", chart)).Length > 1000, chart);

        // Resumable per (seed, algorithm): with one seed's GRPO run gone, a rerun trains only that one again.
        Directory.Delete(Path.Combine(output, "seed-2", "grpo"), recursive: true);
        var again = ApoProcess.Run(TimeSpan.FromMinutes(10), "bench", "--preset", "tiny", "--config", config, "--seeds", "2", "--algos", "apo,grpo", "--out", output);
        Assert.True(again.ExitCode == 0, again.StdErr);
        Assert.Equal(3, again.StdErr.Split('\n').Count(l => l.Contains("finished earlier")));
        Assert.Contains("seed 2: grpo: apo run --algo grpo", again.StdErr);
    }

    [Fact]
    public void SeedAndSeedsTogetherOrABadSeedListAreBadInputsThatWriteNothing()
    {
        using var dir = new TempDirectory();
        ApoProcess.Run("bench", "--seed", "3", "--seeds", "2", "--out", dir.File("b")).AssertBadInput("--seeds", "--seed");
        ApoProcess.Run("bench", "--seeds", "two", "--out", dir.File("b")).AssertBadInput("--seeds", "two");
        Assert.False(Directory.Exists(dir.File("b")));
    }

    [Fact]
    public void AnUnknownAlgorithmIsABadInputThatWritesNothing()
    {
        using var dir = new TempDirectory();
        var bench = ApoProcess.Run("bench", "--algos", "apo,dpo", "--out", dir.File("bench"));
        bench.AssertBadInput("--algos", "dpo");
        Assert.False(Directory.Exists(dir.File("bench")));

        var run = ApoProcess.Run("run", "--preset", "tiny", "--algo", "dpo", "--out", dir.File("run"));
        run.AssertBadInput("--algo", "dpo");
        Assert.False(Directory.Exists(dir.File("run")));

        string config = dir.Write("algo.json", """{ "stageTwo": { "algorithm": "dpo" } }""");
        var viaConfig = ApoProcess.Run("run", "--preset", "tiny", "--config", config, "--out", dir.File("run2"));
        viaConfig.AssertBadInput("algo.json", "stageTwo.algorithm");
        Assert.False(Directory.Exists(dir.File("run2")));
    }
}

using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Apo.Cli.Tests;

/// <summary>`apo bench` end to end: every algorithm on the tiny preset, each in its own child process.</summary>
public class BenchCommandTests
{
    static readonly string[] Algorithms = ["apo", "grpo", "rebel", "ppo"];

    [Fact]
    [Trait("Category", "Slow")]
    public void TheTinyBenchRunsAllFourAlgorithmsInTenMinutesAndResumesWithoutRerunning()
    {
        using var dir = new TempDirectory();
        string output = dir.File("bench");
        var clock = Stopwatch.StartNew();
        var result = ApoProcess.Run(TimeSpan.FromMinutes(10), "bench", "--preset", "tiny", "--out", output);
        clock.Stop();
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromMinutes(10));

        var bench = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "bench.json")))!;
        var algorithms = bench["algorithms"]!.AsObject();
        Assert.Equal(Algorithms, algorithms.Select(p => p.Key).ToArray());
        byte[] reference = File.ReadAllBytes(Path.Combine(output, "reference", "model.safetensors"));
        foreach (var key in Algorithms)
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
            Assert.Equal(key == "apo", (double)r["stage1_seconds"]! > 0);

            string run = Path.Combine(output, key);
            var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "summary.json")))!;
            Assert.Equal(key == "apo" ? "astar-po" : key, (string)summary["algorithm"]!);
            Assert.Equal(100, File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length); // the same prompt updates for all
            // One reference for all: every child started from the same weights.
            Assert.Equal(reference, File.ReadAllBytes(Path.Combine(run, "reference", "model.safetensors")));
        }
        // A*-PO learns on this preset (the embedded run's own test asserts the same).
        Assert.True((double)algorithms["apo"]!["avg_at_k"]! > (double)algorithms["apo"]!["reference_avg_at_k"]!);
        foreach (var chart in new[] { "seconds.png", "peak_rss.png", "peak_tensor.png", "kl.png", "avg_at_k.png" })
            Assert.True(new FileInfo(Path.Combine(output, "plots", chart)).Length > 1000, chart);
        string markdown = File.ReadAllText(Path.Combine(output, "bench.md"));
        foreach (var key in Algorithms) Assert.Contains($"| {key} |", markdown);
        Console.WriteLine($"apo bench --preset tiny took {clock.Elapsed.TotalSeconds:F0} s");
        Console.WriteLine(markdown);

        // Rerunning the finished bench reads every algorithm back instead of training it again.
        var again = ApoProcess.Run(TimeSpan.FromMinutes(3), "bench", "--preset", "tiny", "--out", output);
        Assert.True(again.ExitCode == 0, again.StdErr);
        foreach (var key in Algorithms) Assert.Contains($"{key}: finished earlier", again.StdErr);
        var reread = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "bench.json")))!;
        Assert.Equal(algorithms.ToJsonString(), reread["algorithms"]!.ToJsonString());
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

using System.Text.Json.Nodes;

namespace Apo.Cli.Tests;

/// <summary>
/// `apo ablate` end to end on a small version of the tiny preset: the filtering sweep (N ∈ {2, 8}, off and on) over two
/// seeds. The figures of the real sweep come from `apo ablate --preset tiny` itself (docs/BENCHMARKS.md); this test
/// checks what the command runs, computes and writes.
/// </summary>
public class AblateCommandTests
{
    const string Small = """
        {
          "sft": { "steps": 60 },
          "stageOne": { "prompts": 48 },
          "stageTwo": { "promptsPerBatch": 16, "iterations": 6, "checkpointEvery": 3 },
          "evaluation": { "heldOutPrompts": 24 }
        }
        """;

    static readonly string[] Settings = ["n2-beta1-0.5", "n2-beta1-0.5-drop", "n8-beta1-0.5", "n8-beta1-0.5-drop"];

    [Fact]
    [Trait("Category", "Slow")]
    public void TheFilterSweepDropsThePromptsNoSampleSolvedAndShortensStageTwoInProportion()
    {
        using var dir = new TempDirectory();
        string output = dir.File("ablate"), config = dir.Write("small.json", Small);
        var result = ApoProcess.Run(TimeSpan.FromMinutes(15), "ablate", "--knob", "filter", "--seeds", "2", "--preset", "tiny", "--config", config, "--out", output);
        Assert.True(result.ExitCode == 0, result.StdErr);

        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "ablate.json")))!;
        Assert.Equal([1L, 2], report["seeds"]!.AsArray().Select(s => (long)s!).ToArray());
        var points = report["knobs"]!["filter"]!.AsArray();
        Assert.Equal(["N=2 keep", "N=2 drop", "N=8 keep", "N=8 drop"], points.Select(p => (string)p!["label"]!).ToArray());
        Assert.Equal(Settings, points.Select(p => (string)p!["run"]!).ToArray());
        // Each seed trained its own reference.
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(output, "seed-1", "reference", "model.safetensors")),
            File.ReadAllBytes(Path.Combine(output, "seed-2", "reference", "model.safetensors")));

        for (int i = 0; i < Settings.Length; i++)
        {
            var figures = points[i]!["figures"]!;
            for (int seed = 1; seed <= 2; seed++)
            {
                string run = Path.Combine(output, $"seed-{seed}", Settings[i]);
                var rows = File.ReadAllLines(Path.Combine(run, "stage1.jsonl")).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
                int samples = Settings[i].StartsWith("n2") ? 2 : 8;
                Assert.All(rows, r => Assert.Equal(samples, r.Count(p => p.Key.StartsWith("eval_"))));
                int unsolved = rows.Count(r => r.Where(p => p.Key.StartsWith("eval_")).All(p => (double)p.Value! == 0));
                bool drops = Settings[i].EndsWith("-drop");
                var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "summary.json")))!;
                Assert.Equal(drops ? unsolved : 0, (int)summary["stage1"]!["prompts_dropped"]!);
                // As many passes over the kept prompts as 6 steps of 16 make over 48 (2 passes); a batch holds at most the kept prompts.
                int kept = 48 - (drops ? unsolved : 0);
                int steps = drops ? (int)Math.Ceiling(2.0 * kept / Math.Min(16, kept)) : 6;
                var metrics = File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
                Assert.Equal(steps, metrics.Count);
                Assert.Equal(steps, (double)figures["iterations"]!["values"]![seed - 1]!);
                // The report's figures are the runs' own: every seed's value, in seed order.
                Assert.Equal(drops ? unsolved : 0, (double)figures["prompts_dropped"]!["values"]![seed - 1]!);
                Assert.Equal((double)summary["kl"]!, (double)figures["kl"]!["values"]![seed - 1]!, 12);
                double tailLoss = metrics.Skip(metrics.Count - Math.Max(1, metrics.Count / 10)).Average(m => (double)m["loss"]!);
                Assert.Equal(tailLoss, (double)figures["final_loss"]!["values"]![seed - 1]!, 12);
            }
        }
        // The small reference solves few prompts: filtering at N = 2 dropped some on both seeds, and saved time.
        Assert.True((double)points[1]!["figures"]!["prompts_dropped"]!["mean"]! > 0);
        Assert.NotNull(report["filter_seconds_saved"]!["N=2"]);
        foreach (var panel in new[] { "final_loss", "final_reward", "greedy_accuracy" })
            Assert.True(new FileInfo(Path.Combine(output, "plots", $"filter-{panel}.png")).Length > 1000, panel);
        Assert.Contains("| N=8 drop |", File.ReadAllText(Path.Combine(output, "ablate.md")));

        // A rerun reads every setting back.
        var again = ApoProcess.Run(TimeSpan.FromMinutes(3), "ablate", "--knob", "filter", "--seeds", "2", "--preset", "tiny", "--config", config, "--out", output);
        Assert.True(again.ExitCode == 0, again.StdErr);
        Assert.Equal(8, again.StdErr.Split('\n').Count(l => l.Contains("finished earlier")));
    }

    [Fact]
    public void AnUnknownKnobOrABadSeedListIsABadInputThatWritesNothing()
    {
        using var dir = new TempDirectory();
        ApoProcess.Run("ablate", "--knob", "gamma", "--out", dir.File("a")).AssertBadInput("--knob", "gamma");
        ApoProcess.Run("ablate", "--seeds", "1,1", "--out", dir.File("a")).AssertBadInput("--seeds", "seed 1 is listed twice");
        Assert.False(Directory.Exists(dir.File("a")));
    }
}

using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Apo.Cli.Tests;

/// <summary>The embedded default end to end, through the real program. Slow: minutes, not seconds.</summary>
[Trait("Category", "Slow")]
public class RunCommandTests
{
    /// <summary>A small version of the tiny preset, so the kill-and-resume test stays within a minute or two.</summary>
    const string SmallRun = """
        {
          "sft": { "steps": 40 },
          "stageOne": { "prompts": 48 },
          "stageTwo": { "promptsPerBatch": 16, "iterations": 6, "checkpointEvery": 2 },
          "evaluation": { "heldOutPrompts": 24 }
        }
        """;

    [Fact]
    public void TinyPresetFinishesAndLearns()
    {
        using var dir = new TempDirectory();
        string output = dir.File("run");
        var clock = Stopwatch.StartNew();
        var result = ApoProcess.Run(TimeSpan.FromMinutes(10), "run", "--preset", "tiny", "--out", output);
        Assert.True(result.ExitCode == 0, result.StdErr);

        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "summary.json")))!;
        double referenceAvg = (double)summary["reference"]!["avg_at_k"]!;
        double trainedAvg = (double)summary["trained"]!["avg_at_k"]!;
        Assert.Equal(4, (int)summary["reference"]!["k"]!);
        Assert.True(trainedAvg > referenceAvg, $"trained avg@4 {trainedAvg} is not above the reference's {referenceAvg}");
        Assert.True(double.IsFinite((double)summary["kl"]!));
        Assert.Equal((int)summary["stage1"]!["prompts"]!, (int)summary["stage1"]!["prompts_with_vstar"]!);
        Assert.True((double)summary["seconds"]!["total"]! > 0);
        Assert.Equal("astar-po", (string)summary["algorithm"]!);
        // The process that trained holds at least the .NET runtime and libtorch: well over 50 MB resident.
        Assert.InRange((double)summary["memory"]!["peak_rss_mb"]!, 50, 20_000);

        foreach (string file in new[] { "summary.md", "metrics.jsonl", "plots/reward.png", "plots/kl.png", "plots/heldout_accuracy.png",
                     "policy/config.json", "policy/model.safetensors", "policy/tokenizer.json" })
            Assert.True(File.Exists(Path.Combine(output, file)), file);
        Assert.True(File.ReadAllLines(Path.Combine(output, "metrics.jsonl")).Length > 0);
        Console.WriteLine($"apo run --preset tiny took {clock.Elapsed.TotalSeconds:F0} s; avg@4 {referenceAvg:P1} → {trainedAvg:P1}");
    }

    [Fact]
    public void AfterSigkillInStageOneAndInStageTwoRerunningFinishesWithTheSameSummary()
    {
        using var dir = new TempDirectory();
        string config = dir.Write("small.json", SmallRun);
        string straight = dir.File("straight"), resumed = dir.File("resumed");

        var uninterrupted = ApoProcess.Run(TimeSpan.FromMinutes(10), "run", "--preset", "tiny", "--config", config, "--out", straight);
        Assert.True(uninterrupted.ExitCode == 0, uninterrupted.StdErr);

        // Killed once while stage 1 is sampling, once after stage 2 has checkpointed.
        string prompts = Path.Combine(resumed, "state", "grains", "prompt");
        KillWhen(["run", "--preset", "tiny", "--config", config, "--out", resumed], () => StageOneRecords(prompts) > 0);
        var stageOneDone = StageOneRecords(prompts);
        var writtenBefore = RecordedPromptFiles(prompts);
        Assert.InRange(stageOneDone, 1, 47);

        KillWhen(["run", "--preset", "tiny", "--config", config, "--out", resumed],
            () => File.Exists(Path.Combine(resumed, "checkpoints", "latest")) && !File.Exists(Path.Combine(resumed, "policy", "config.json")));
        var finish = ApoProcess.Run(TimeSpan.FromMinutes(10), "run", "--preset", "tiny", "--config", config, "--out", resumed);
        Assert.True(finish.ExitCode == 0, finish.StdErr);

        // Finished stage-1 work was not sampled again: those prompts' state files were never rewritten.
        foreach (var (file, written) in writtenBefore)
            Assert.Equal(written, File.GetLastWriteTimeUtc(file));

        var a = JsonNode.Parse(File.ReadAllText(Path.Combine(straight, "summary.json")))!;
        var b = JsonNode.Parse(File.ReadAllText(Path.Combine(resumed, "summary.json")))!;
        foreach (string key in new[] { "reference", "trained", "kl", "kl_per_token", "stage1" })
            Assert.Equal(a[key]!.ToJsonString(), b[key]!.ToJsonString());
        Assert.Equal(File.ReadAllBytes(Path.Combine(straight, "policy", "model.safetensors")),
            File.ReadAllBytes(Path.Combine(resumed, "policy", "model.safetensors")));
        Assert.Equal(6, File.ReadAllLines(Path.Combine(resumed, "metrics.jsonl")).Length);

        // TensorBoard mirrors metrics.jsonl after the kills too: every step once, with the line's values.
        var rewards = File.ReadAllLines(Path.Combine(resumed, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!)
            .Select(n => ((long)n["step"]!, (float)(double)n["mean_reward"]!)).ToList();
        var scalars = Apo.Grains.Tests.Training.TensorBoardEvents.ReadScalars(Path.Combine(resumed, "tensorboard"));
        Assert.Equal(rewards, scalars.Where(s => s.Tag == "train/mean_reward").Select(s => (s.Step, s.Value)).ToList());
        Assert.NotEmpty(scalars.Where(s => s.Tag == "eval/heldout_accuracy"));
    }

    [Fact]
    public void AnAsynchronousRunKilledInStageTwoAndRerunEndsIdenticalToAnUninterruptedOne()
    {
        using var dir = new TempDirectory();
        string config = dir.Write("small.json", SmallRun);
        string straight = dir.File("straight"), resumed = dir.File("resumed");
        string[] Args(string output) => ["run", "--preset", "tiny", "--config", config, "--max-staleness", "1", "--out", output];

        var uninterrupted = ApoProcess.Run(TimeSpan.FromMinutes(10), Args(straight));
        Assert.True(uninterrupted.ExitCode == 0, uninterrupted.StdErr);
        // The same reference (the same SFT from the same seed) without training it again.
        TempDirectory.CopyTree(Path.Combine(straight, "reference"), Path.Combine(resumed, "reference"));
        // Killed once stage 2 has checkpointed: the checkpoint keeps the rollouts sampled ahead of it.
        KillWhen(Args(resumed),
            () => File.Exists(Path.Combine(resumed, "checkpoints", "latest")) && !File.Exists(Path.Combine(resumed, "policy", "config.json")));
        var finish = ApoProcess.Run(TimeSpan.FromMinutes(10), Args(resumed));
        Assert.True(finish.ExitCode == 0, finish.StdErr);

        Assert.Equal(File.ReadAllBytes(Path.Combine(straight, "policy", "model.safetensors")),
            File.ReadAllBytes(Path.Combine(resumed, "policy", "model.safetensors")));
        var a = JsonNode.Parse(File.ReadAllText(Path.Combine(straight, "summary.json")))!;
        var b = JsonNode.Parse(File.ReadAllText(Path.Combine(resumed, "summary.json")))!;
        foreach (string key in new[] { "trained", "kl", "kl_per_token" })
            Assert.Equal(a[key]!.ToJsonString(), b[key]!.ToJsonString());
        string[] Trained(string output) => File.ReadAllLines(Path.Combine(output, "metrics.jsonl"))
            .Select(l => JsonNode.Parse(l)!).Select(n => $"{n["step"]} {n["loss"]} {n["mean_reward"]} {n["staleness"]}").ToArray();
        Assert.Equal(Trained(straight), Trained(resumed));
        Assert.Equal(["0", "1", "1", "1", "1", "1"], Trained(resumed).Select(l => l.Split(' ')[^1]).ToArray());
        Assert.True(File.Exists(Path.Combine(resumed, "plots", "pipeline.png")));
    }

    [Fact]
    public void ADifferentConfigurationForAnExistingRunDirectoryIsRefusedAndNothingChanges()
    {
        using var dir = new TempDirectory();
        string output = dir.File("run");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "run.json"), "{\"name\": \"something else\"}");
        var result = ApoProcess.Run("run", "--preset", "tiny", "--out", output);
        result.AssertBadInput(Path.Combine(output, "run.json"), "different settings");
        Assert.Equal(["run.json"], Directory.GetFileSystemEntries(output).Select(p => Path.GetFileName(p)!).ToArray());

        string badConfig = dir.Write("bad.json", """{ "stageTwo": { "beta3": 1 } }""");
        var bad = ApoProcess.Run("run", "--preset", "tiny", "--config", badConfig, "--out", dir.File("other"));
        bad.AssertBadInput("bad.json", "beta3");
        Assert.False(Directory.Exists(dir.File("other")));
    }

    /// <summary>
    /// Prompt state files that hold a stage-1 record. A spec alone is a few hundred bytes (its size
    /// varies with the data path it records); eight samples add well over half a kilobyte, so the
    /// files fall into two groups and anything 400 bytes above the smallest holds a record.
    /// </summary>
    static string[] RecordFiles(string promptStateDirectory)
    {
        if (!Directory.Exists(promptStateDirectory)) return [];
        var files = Directory.GetFiles(promptStateDirectory, "*.state");
        if (files.Length == 0) return [];
        long smallest = files.Min(f => new FileInfo(f).Length);
        return files.Where(f => new FileInfo(f).Length > smallest + 400).ToArray();
    }

    static int StageOneRecords(string promptStateDirectory) => RecordFiles(promptStateDirectory).Length;

    static Dictionary<string, DateTime> RecordedPromptFiles(string promptStateDirectory) =>
        RecordFiles(promptStateDirectory).ToDictionary(f => f, File.GetLastWriteTimeUtc);

    /// <summary>Starts apo and SIGKILLs it as soon as <paramref name="condition"/> holds (or fails if it exits first).</summary>
    static void KillWhen(string[] args, Func<bool> condition)
    {
        using var process = ApoProcess.Start(args);
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (process.HasExited) throw new InvalidOperationException($"apo exited with {process.ExitCode} before the kill point: {process.StandardError.ReadToEnd()}");
            if (deadline.Elapsed > TimeSpan.FromMinutes(10)) throw new TimeoutException("kill point never reached");
            Thread.Sleep(20);
        }
        process.Kill(entireProcessTree: true); // SIGKILL on Linux
        process.WaitForExit();
    }
}

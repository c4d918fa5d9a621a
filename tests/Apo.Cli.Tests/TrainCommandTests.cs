using System.Text.Json.Nodes;
using Apo.Tasks.Data;

namespace Apo.Cli.Tests;

/// <summary>`apo stage1` and `apo train` on a user dataset and model directory, through the grains.</summary>
[Trait("Category", "Slow")]
public class TrainCommandTests : IClassFixture<ModelCommandsTests.InitialisedModel>
{
    readonly ModelCommandsTests.InitialisedModel fixture;

    public TrainCommandTests(ModelCommandsTests.InitialisedModel fixture) => this.fixture = fixture;

    static string Dataset(TempDirectory dir) => dir.Write("gsm8k.jsonl", string.Join('\n', Enumerable.Range(1, 6).Select(i =>
        new JsonObject { ["question"] = $"Tom has {i} cats. He gets 2 more. How many cats does Tom have?", ["answer"] = $"{i} + 2 = {i + 2}.\n#### {i + 2}" }.ToJsonString())));

    static readonly string[] Small = ["--n", "2", "--max-new-tokens", "8", "--prompts-per-work-unit", "4", "--seed", "7"];

    [Fact]
    public void StageOneThenTrainOnItsExportImportsTheSamplesAndTrains()
    {
        using var dir = new TempDirectory();
        string data = Dataset(dir);
        var stageOne = ApoProcess.Run(["stage1", "--model", fixture.ModelPath, "--data", data, "--out", dir.File("s1"), .. Small]);
        Assert.True(stageOne.ExitCode == 0, stageOne.StdErr);
        string export = Path.Combine(dir.File("s1"), "stage1.parquet");
        var exported = DatasetReader.Read(export).Examples;
        Assert.Equal(6, exported.Count);
        Assert.All(exported, e => Assert.Equal(2, e.StageOne!.Count));

        var train = ApoProcess.Run(["train", "--model", fixture.ModelPath, "--data", export, "--out", dir.File("t"), .. Small,
            "--batch", "4", "--iterations", "2", "--checkpoint-every", "1", "--lr", "1e-3", "--beta2", "0.05"]);
        Assert.True(train.ExitCode == 0, train.StdErr);
        // Imported, not sampled again: the second run's stage-1 samples are the export's, text for text.
        var second = DatasetReader.Read(Path.Combine(dir.File("t"), "stage1.parquet")).Examples.ToDictionary(e => e.Id);
        foreach (var e in exported)
            Assert.Equal(e.StageOne!.Select(s => (s.Response, s.Reward)), second[e.Id].StageOne!.Select(s => (s.Response, s.Reward)));
        Assert.Equal(2, File.ReadAllLines(Path.Combine(dir.File("t"), "metrics.jsonl")).Length);
        Assert.True(File.Exists(Path.Combine(dir.File("t"), "policy", "model.safetensors")));
    }

    [Theory]
    [InlineData("grpo")]
    [InlineData("rebel")]
    [InlineData("ppo")]
    public void ABaselineTrainsOnTheDatasetWithoutStageOne(string algorithm)
    {
        using var dir = new TempDirectory();
        string output = dir.File(algorithm);
        var train = ApoProcess.Run(["train", "--model", fixture.ModelPath, "--data", Dataset(dir), "--out", output, .. Small,
            "--algo", algorithm, "--batch", "4", "--iterations", "2", "--checkpoint-every", "1", "--lr", "1e-3"]);
        Assert.True(train.ExitCode == 0, train.StdErr);
        Assert.Contains($"stage 2 ({algorithm}): 2 iterations", train.StdOut);
        Assert.False(File.Exists(Path.Combine(output, "stage1.parquet"))); // no stage 1, so nothing to export
        Assert.Equal(2, File.ReadAllLines(Path.Combine(output, "metrics.jsonl")).Length);
        Assert.True(File.Exists(Path.Combine(output, "policy", "model.safetensors")));
        if (algorithm == "ppo") Assert.True(File.Exists(Path.Combine(output, "checkpoints", "step-2", "critic.safetensors")));
    }

    [Fact]
    public void ABadDatasetIsNamedAndLeavesNoStateBehind()
    {
        using var dir = new TempDirectory();
        string data = dir.Write("bad.jsonl", """
            {"question": "Tom has 1 cat. He gets 2 more. How many?", "answer": "1 + 2 = 3.\n#### 3"}
            {"question": "Ann has 5 pens.", "answer": 17}
            """);
        string output = dir.File("out");
        var result = ApoProcess.Run(["train", "--model", fixture.ModelPath, "--data", data, "--out", output, .. Small, "--batch", "1"]);
        result.AssertBadInput("bad.jsonl line 2", "answer");
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void AnAsynchronousTrainSamplesEachBatchOneVersionBehind()
    {
        using var dir = new TempDirectory();
        string output = dir.File("async");
        var train = ApoProcess.Run(["train", "--model", fixture.ModelPath, "--data", Dataset(dir), "--out", output, .. Small,
            "--batch", "2", "--iterations", "3", "--checkpoint-every", "2", "--lr", "1e-3", "--beta2", "0.05", "--max-staleness", "1"]);
        Assert.True(train.ExitCode == 0, train.StdErr);
        var lines = File.ReadAllLines(Path.Combine(output, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal([0L, 1L, 1L], lines.Select(l => (long)l["staleness"]!).ToArray());
        Assert.All(lines, l => Assert.True((double)l["rollout_wait_seconds"]! >= 0 && (double)l["weight_wait_seconds"]! >= 0));
        // The checkpoint after iteration 2 keeps step 2's rollouts, sampled by version 1.
        var kept = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "checkpoints", "step-2", "rollouts.json")))!.AsArray();
        Assert.Equal(2L, (long)Assert.Single(kept)!["Step"]!);
        Assert.All(kept[0]!["Rollouts"]!.AsArray(), r => Assert.Equal(1L, (long)r!["WeightVersion"]!));
    }

    [Theory]
    [InlineData("grpo", "1", "asynchronous stage 2 is for A*-PO only")]
    [InlineData("apo", "-1", "must be ≥ 0")]
    public void AMaxStalenessTheAlgorithmCannotTakeIsABadInputThatWritesNothing(string algorithm, string k, string reason)
    {
        using var dir = new TempDirectory();
        string output = dir.File("out");
        var train = ApoProcess.Run(["train", "--model", fixture.ModelPath, "--data", Dataset(dir), "--out", output, .. Small,
            "--algo", algorithm, "--batch", "2", "--iterations", "2", "--max-staleness", k]);
        train.AssertBadInput($"--max-staleness {k}", reason);
        Assert.False(Directory.Exists(output));

        var run = ApoProcess.Run("run", "--preset", "tiny", "--algo", algorithm, "--max-staleness", k, "--out", dir.File("run"));
        run.AssertBadInput($"--max-staleness {k}", reason);
        Assert.False(Directory.Exists(dir.File("run")));
    }
}

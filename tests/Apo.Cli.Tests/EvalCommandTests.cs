using System.Text.Json.Nodes;

namespace Apo.Cli.Tests;

public class EvalCommandTests : IClassFixture<ModelCommandsTests.InitialisedModel>
{
    readonly ModelCommandsTests.InitialisedModel fixture;

    public EvalCommandTests(ModelCommandsTests.InitialisedModel fixture) => this.fixture = fixture;

    [Fact]
    public void WritesEveryMetricAndAModelHasZeroKlToItself()
    {
        using var dir = new TempDirectory();
        Assert.Equal(0, ApoProcess.Run("synthetic", "--out", dir.Path, "--preset", "tiny").ExitCode);
        string report = dir.File("report.json");
        var result = ApoProcess.Run("eval", "--model", fixture.ModelPath, "--data", dir.File("test.jsonl"), "--limit", "6",
            "--k", "3", "--max-new-tokens", "16", "--reference", fixture.ModelPath, "--out", report);

        Assert.Equal(0, result.ExitCode);
        var json = JsonNode.Parse(File.ReadAllText(report))!;
        Assert.Equal("gsm8k", (string?)json["task"]);
        Assert.Equal(6, (int)json["prompts"]!);
        Assert.Equal(3, (int)json["samplesPerPrompt"]!);
        Assert.InRange((double)json["greedyAccuracy"]!, 0, 1);
        Assert.NotNull(json["passAtK"]!["1"]);
        Assert.NotNull(json["passAtK"]!["3"]);
        Assert.Equal(18, (int)json["kl"]!["sequences"]!);
        Assert.Equal(0.0, (double)json["kl"]!["perSequence"]!, 4);
        Assert.InRange((double)json["responseLength"]!["max"]!, 1, 16);
        // 6 greedy + 18 sampled responses went through the verifier.
        Assert.Equal(24, (int)json["verifier"]!["scored"]!);
    }

    [Fact]
    public void AMalformedDatasetRowIsNamedAndSkippingItIsReported()
    {
        using var dir = new TempDirectory();
        string data = dir.Write("data.jsonl", string.Join('\n',
            """{"question": "Tom has 2 cats. He gets 1 more. How many?", "answer": "2 + 1 = 3.\n#### 3"}""",
            """{"question": "Ann has 5 pens.", "solution": "no answer field"}""",
            """{"question": "Bo has 4 hats. He loses 1. How many?", "answer": "4 - 1 = 3.\n#### 3"}"""));
        var failed = ApoProcess.Run("eval", "--model", fixture.ModelPath, "--data", data, "--out", dir.File("r.json"));
        failed.AssertBadInput("data.jsonl line 2");
        Assert.False(File.Exists(dir.File("r.json")));

        var skipped = ApoProcess.Run("eval", "--model", fixture.ModelPath, "--data", data, "--skip-bad-rows", "--k", "1",
            "--max-new-tokens", "8", "--out", dir.File("r.json"));
        Assert.Equal(0, skipped.ExitCode);
        Assert.Contains("skipped 1 malformed rows", skipped.StdErr);
        Assert.Equal(2, (int)JsonNode.Parse(File.ReadAllText(dir.File("r.json")))!["prompts"]!);
    }
}

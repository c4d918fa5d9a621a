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

    [Fact]
    public void SeveralBenchmarksMakeOneTableWithTheReferenceBesideThePolicy()
    {
        using var dir = new TempDirectory();
        Assert.Equal(0, ApoProcess.Run("synthetic", "--out", dir.Path, "--preset", "tiny").ExitCode);
        File.Copy(dir.File("test.jsonl"), dir.File("arith-test.jsonl"));
        File.Copy(dir.File("train.jsonl"), dir.File("arith-train.jsonl"));
        string table = dir.File("table.json");
        // --competition is the paper's sampling; --k 2 overrides its 32 to keep the test short.
        var result = ApoProcess.Run("eval", "--model", fixture.ModelPath, "--reference", fixture.ModelPath, "--competition", "--k", "2",
            "--data", dir.File("arith-test.jsonl"), "--data", dir.File("arith-train.jsonl"), "--limit", "5", "--max-new-tokens", "12", "--out", table);
        Assert.True(result.ExitCode == 0, result.StdErr);

        var json = JsonNode.Parse(File.ReadAllText(table))!;
        var rows = json["benchmarks"]!.AsArray();
        Assert.Equal(["arith-test", "arith-train"], rows.Select(r => (string)r!["name"]!).ToArray());
        foreach (var row in rows)
        {
            var policy = row!["policy"]!;
            Assert.Equal(5, (int)policy["prompts"]!);
            Assert.Equal((2, 0.6, 0.95), ((int)policy["samplesPerPrompt"]!, (double)policy["temperature"]!, (double)policy["topP"]!));
            // The model is its own reference here: the reference's columns are the policy's, and the KL is 0.
            var reference = row["reference"]!;
            Assert.Equal((double)policy["greedyAccuracy"]!, (double)reference["greedyAccuracy"]!);
            Assert.Equal((double)policy["averageAtK"]!, (double)reference["averageAtK"]!);
            Assert.Equal(0.0, (double)policy["kl"]!["perSequence"]!, 4);
            Assert.Null(reference["kl"]);
        }

        // A row is what `apo eval` reports for that file alone, with the same settings.
        string single = dir.File("single.json");
        var alone = ApoProcess.Run("eval", "--model", fixture.ModelPath, "--competition", "--k", "2", "--data", dir.File("arith-train.jsonl"),
            "--limit", "5", "--max-new-tokens", "12", "--out", single);
        Assert.True(alone.ExitCode == 0, alone.StdErr);
        var one = JsonNode.Parse(File.ReadAllText(single))!;
        Assert.Equal((double)one["greedyAccuracy"]!, (double)rows[1]!["policy"]!["greedyAccuracy"]!);
        Assert.Equal(one["passAtK"]!.ToJsonString(), rows[1]!["policy"]!["passAtK"]!.ToJsonString());

        string markdown = File.ReadAllText(dir.File("table.md"));
        Assert.Contains("| benchmark | prompts | reference greedy | policy greedy | reference avg@2 | policy avg@2 | reference pass@2 | policy pass@2 | KL / seq |", markdown);
        Assert.Contains("| arith-test | 5 |", markdown);
        Assert.Equal(markdown, result.StdOut);
    }

    [Fact]
    public void TwoBenchmarksOfTheSameNameAreABadInputThatWritesNothing()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("a"));
        Directory.CreateDirectory(dir.File("b"));
        string row = """{"question": "Tom has 2 cats. He gets 1 more. How many?", "answer": "2 + 1 = 3.\n#### 3"}""";
        string first = dir.Write("a/math.jsonl", row), second = dir.Write("b/math.jsonl", row);
        var result = ApoProcess.Run("eval", "--model", fixture.ModelPath, "--data", first, "--data", second, "--out", dir.File("t.json"));
        result.AssertBadInput("--data", "\"math\"");
        Assert.False(File.Exists(dir.File("t.json")));
    }
}

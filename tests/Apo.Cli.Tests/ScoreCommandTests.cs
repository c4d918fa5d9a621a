using System.Text.Json.Nodes;

namespace Apo.Cli.Tests;

public class ScoreCommandTests
{
    [Fact]
    public void PrintsOneResultPerLineInOrderWithReasonsForUnparseableResponses()
    {
        using var dir = new TempDirectory();
        string input = dir.Write("in.jsonl", string.Join('\n',
            """{"response": "3 + 4 = 7.\n#### 7", "ground_truth": "7"}""",
            "",
            """{"response": "I think it is 8", "ground_truth": "7"}""",
            """{"response": "so $1,000.\n#### $1,000", "ground_truth": "1000"}""",
            """{"response": "#### 6", "ground_truth": "7"}"""));

        var result = ApoProcess.Run("score", "--task", "gsm8k", "--in", input);

        Assert.Equal(0, result.ExitCode);
        var rows = result.Lines.Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        Assert.Equal(4, rows.Count);
        Assert.Equal((1, "7"), ((int)rows[0]["score"]!, (string?)rows[0]["extracted"]));
        Assert.Equal(0, (int)rows[1]["score"]!);
        Assert.Contains("####", (string)rows[1]["reason"]!);
        Assert.Equal((1, "1000"), ((int)rows[2]["score"]!, (string?)rows[2]["extracted"]));
        Assert.Equal((0, "6"), ((int)rows[3]["score"]!, (string?)rows[3]["extracted"]));
        Assert.False(rows[3].ContainsKey("reason"));
    }

    [Fact]
    public void MathTaskComparesNormalisedBoxedAnswers()
    {
        using var dir = new TempDirectory();
        string input = dir.Write("in.jsonl",
            """{"response": "so the answer is \\boxed{\\dfrac{1}{2}}", "ground_truth": "0.5"}""");
        var result = ApoProcess.Run("score", "--task", "math", "--in", input);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(1, (int)JsonNode.Parse(result.Lines.Single())!["score"]!);
    }

    [Fact]
    public void AnInvalidJsonLineIsAnErrorNamingItsNumberAndNothingIsPrinted()
    {
        using var dir = new TempDirectory();
        string input = dir.Write("in.jsonl", "{\"response\": \"#### 1\", \"ground_truth\": \"1\"}\n{not json\n");
        var result = ApoProcess.Run("score", "--task", "gsm8k", "--in", input);
        result.AssertBadInput("in.jsonl line 2");
        Assert.Equal("", result.StdOut);
    }

    [Fact]
    public void AMissingFieldAndAnUnknownTaskAreClearErrors()
    {
        using var dir = new TempDirectory();
        string input = dir.Write("in.jsonl", "{\"response\": \"#### 1\"}\n");
        var missing = ApoProcess.Run("score", "--task", "gsm8k", "--in", input);
        missing.AssertBadInput("in.jsonl line 1: field \"ground_truth\" is missing");

        var unknown = ApoProcess.Run("score", "--task", "gsm9k", "--in", input);
        unknown.AssertBadInput("--task", "gsm9k");
    }
}

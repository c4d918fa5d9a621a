using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Apo.Model.Text;

namespace Apo.Cli.Tests;

/// <summary>
/// `apo tokenize` through the real program, checked against the model directory's own tokenizer loaded
/// here: the ids and counts it prints are the ones <see cref="TextTokenizer.Encode"/> gives, never literals.
/// </summary>
public class TokenizeCommandTests(ModelCommandsTests.InitialisedModel fixture) : IClassFixture<ModelCommandsTests.InitialisedModel>
{
    readonly TextTokenizer tokenizer = TextTokenizer.Load(fixture.ModelPath);

    /// <summary>The rows of a token table: (index, id, piece text, the piece's bytes when the piece is part of a character).</summary>
    static List<(int Index, int Id, string Piece, string? Extra)> Rows(string stdout) =>
        stdout.Split('\n').Where(l => l.Length > 0 && char.IsAsciiDigit(l[0])).Select(l =>
        {
            var columns = l.Split('\t');
            return (int.Parse(columns[0]), int.Parse(columns[1]), JsonSerializer.Deserialize<string>(columns[2])!, columns.Length > 3 ? columns[3] : null);
        }).ToList();

    static string Quoted(string text) => JsonSerializer.Serialize(text, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    [Fact]
    public void TextIsSplitAsTheTokenizerDoesAndItsIdsDecodeBackToTheSameText()
    {
        // A newline, a double space and a two-byte character the small vocabulary has no token for.
        const string text = "Tom has 3 cats.\nHe buys  2 more at the café.";
        var expected = tokenizer.Encode(text).ToArray();

        var shown = ApoProcess.Run("tokenize", "--model", fixture.ModelPath, "--text", text);
        Assert.True(shown.ExitCode == 0, shown.StdErr);
        var lines = shown.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"tokens: {expected.Length}", lines[0]);
        var rows = Rows(shown.StdOut);
        Assert.Equal(Enumerable.Range(0, expected.Length), rows.Select(r => r.Index));
        Assert.Equal(expected, rows.Select(r => r.Id));
        Assert.Equal($"decoded: {Quoted(text)}", lines[^1]);
        // The newline is shown escaped inside its piece's quotes, not as a line break: one line per token.
        Assert.Equal(expected.Length + 2, lines.Length);
        Assert.Contains("\\n\"", shown.StdOut);

        // Each piece is its token decoded alone; a piece that is only part of a character shows its bytes,
        // so pieces and bytes together spell out the text's UTF-8 exactly.
        var spelled = new List<byte>();
        foreach (var row in rows)
        {
            Assert.Equal(tokenizer.Decode([row.Id]), row.Piece);
            spelled.AddRange(row.Extra is { } bytes ? Convert.FromHexString(bytes["bytes ".Length..]) : Encoding.UTF8.GetBytes(row.Piece));
        }
        Assert.Equal(Encoding.UTF8.GetBytes(text), spelled);
        Assert.Contains(rows, r => r.Extra is not null);

        var decoded = ApoProcess.Run("tokenize", "--model", fixture.ModelPath, "--ids", string.Join(",", rows.Select(r => r.Id)));
        Assert.True(decoded.ExitCode == 0, decoded.StdErr);
        Assert.Equal(shown.StdOut, decoded.StdOut);
    }

    [Fact]
    public void ChatTemplateWrapsTheTextAsTheRunWrapsPromptsAndMarksSpecialTokens()
    {
        string templated = tokenizer.ApplyChatTemplate([("user", "What is 2 + 3?")], addGenerationPrompt: true);
        var result = ApoProcess.Run("tokenize", "--model", fixture.ModelPath, "--text", "What is 2 + 3?", "--chat-template");
        Assert.True(result.ExitCode == 0, result.StdErr);
        var rows = Rows(result.StdOut);
        Assert.Equal(tokenizer.Encode(templated), rows.Select(r => r.Id));
        Assert.Equal([tokenizer.ImStartId!.Value, tokenizer.ImEndId!.Value, tokenizer.ImStartId!.Value],
            rows.Where(r => r.Extra == "special").Select(r => r.Id));
        Assert.EndsWith($"decoded: {Quoted(templated)}", result.StdOut.TrimEnd());
    }

    [Fact]
    public void APromptFileGetsOneCountPerLineAndTheirSummary()
    {
        using var dir = new TempDirectory();
        string[] prompts = ["Tom has 3 cats.", "He buys 2 more. How many cats does he have now?", "Mia has 7 pens and gives 2 away."];
        string file = dir.Write("prompts.jsonl", string.Join('\n',
            new JsonObject { ["prompt"] = prompts[0] }.ToJsonString(),
            "",
            new JsonObject { ["text"] = prompts[1] }.ToJsonString(),
            new JsonObject { ["prompt"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = prompts[2] }), ["reward_model"] = new JsonObject() }.ToJsonString()) + "\n");

        var result = ApoProcess.Run("tokenize", "--model", fixture.ModelPath, "--in", file);
        Assert.True(result.ExitCode == 0, result.StdErr);
        var counts = prompts.Select(p => tokenizer.Encode(p).Count).ToArray();
        var sorted = counts.Order().ToArray();
        Assert.Equal(
            [
                $"line 1: {counts[0]} tokens",
                $"line 3: {counts[1]} tokens",
                $"line 4: {counts[2]} tokens",
                $"records: 3, tokens: min {sorted[0]}, median {sorted[1]}, max {sorted[2]}, total {counts.Sum()}",
            ],
            result.Lines);
    }

    [Theory]
    [InlineData("""{"prompt": 5}""", "field \"prompt\" must be a string or a list of chat messages")]
    [InlineData("""{"question": "Tom has 3 cats."}""", "field \"prompt\" (or \"text\") is missing")]
    [InlineData("""{"text": ["a"]}""", "field \"text\" is not a string")]
    [InlineData("""[1, 2]""", "expected a JSON object")]
    public void ABadLineIsAnErrorNamingTheFileAndLine(string badLine, string problem)
    {
        using var dir = new TempDirectory();
        string file = dir.Write("prompts.jsonl", """{"prompt": "Tom has 3 cats."}""" + "\n\n" + badLine + "\n");
        var result = ApoProcess.Run("tokenize", "--model", fixture.ModelPath, "--in", file);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"apo: error: {file} line 3: {problem}", result.StdErr.Trim());
        Assert.Equal("", result.StdOut);
    }

    [Fact]
    public void AnIdOutsideTheVocabularyIsAnErrorNamingTheOptionAndTheId()
    {
        int outside = tokenizer.VocabSize;
        var result = ApoProcess.Run("tokenize", "--model", fixture.ModelPath, "--ids", $"1,2,{outside}");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"apo: error: --ids: {outside} is outside the vocabulary [0, {tokenizer.VocabSize})", result.StdErr.Trim());
        Assert.Equal("", result.StdOut);

        var notANumber = ApoProcess.Run("tokenize", "--model", fixture.ModelPath, "--ids", "1,two");
        Assert.Equal(2, notANumber.ExitCode);
        Assert.Equal("apo: error: --ids: \"two\" is not an integer", notANumber.StdErr.Trim());
    }

    [Theory]
    [InlineData("--text a --ids 1")]
    [InlineData("--text a --in x.jsonl")]
    [InlineData("")]
    public void NotExactlyOneInputIsAUsageErrorNamingTheOptions(string inputs)
    {
        var result = ApoProcess.Run(["tokenize", "--model", fixture.ModelPath, .. inputs.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("apo: error: give exactly one of --text, --in or --ids", result.StdErr.Trim());
    }

    [Fact]
    public void AMissingModelDirectoryIsNamed()
    {
        using var dir = new TempDirectory();
        string missing = dir.File("no-model");
        var result = ApoProcess.Run("tokenize", "--model", missing, "--text", "a");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"apo: error: {missing}: model directory not found", result.StdErr.Trim());
    }
}

using Apo.Tasks.Data;

namespace Apo.Tasks.Tests.Data;

public class MalformedRowTests
{
    private const string GoodGsm = """{"question": "What is 1+1?", "answer": "1+1=2\n#### 2"}""";
    private const string GoodMath = """{"problem": "What is $1+1$?", "solution": "It is $\\boxed{2}$."}""";
    private const string GoodVerl = """{"data_source": "openai/gsm8k", "prompt": [{"role": "user", "content": "What is 1+1? Let's think step by step and output the final answer after \"####\"."}], "reward_model": {"style": "rule", "ground_truth": "2"}}""";
    private const string GoodStageOne = """{"data_source": "openai/gsm8k", "prompt": [{"role": "user", "content": "What is 1+1?"}], "reward_model": {"style": "rule", "ground_truth": "2"}, "response_0": "#### 2", "response_1": "#### 3", "eval_0": 1, "eval_1": 0}""";

    private static string Verl(string prompt, string rewardModel = """{"style": "rule", "ground_truth": "5"}""") =>
        $$"""{"data_source": "openai/gsm8k", "prompt": {{prompt}}, "reward_model": {{rewardModel}}}""";

    private static string StageOne(string samples) =>
        $$"""{"data_source": "openai/gsm8k", "prompt": [{"role": "user", "content": "What is 2+3?"}], "reward_model": {"style": "rule", "ground_truth": "5"}, {{samples}}}""";

    public static TheoryData<string, string, string> Cases => new()
    {
        // good first line, bad second line, expected message after "<path> line 2: "
        { GoodGsm, """{"question": "What is 2+3?", "answer": "2+3=5\n#### 5" """, "invalid JSON: " },
        { GoodGsm, """["What is 2+3?", "5"]""", "expected a JSON object, got array" },
        { GoodGsm, """{"answer": "2+3=5\n#### 5"}""", "field \"question\" is missing" },
        { GoodGsm, """{"question": "What is 2+3?"}""", "field \"answer\" is missing" },
        { GoodGsm, """{"question": 23, "answer": "#### 5"}""", "field \"question\" must be a string, got a number" },
        { GoodGsm, """{"question": "What is 2+3?", "answer": null}""", "field \"answer\" is null, expected a string" },
        { GoodGsm, """{"question": "  ", "answer": "#### 5"}""", "field \"question\" is empty" },
        { GoodGsm, """{"question": "What is 2+3?", "answer": "2+3=5"}""", "field \"answer\" has no final \"#### N\"" },
        { GoodGsm, """{"question": "What is 2+3?", "answer": "#### five"}""", "field \"answer\": the text after the last \"####\" is not a number (\"five\")" },
        { GoodGsm, """{"question": "What is 1+1?", "answer": "1+1=2\n#### 2"}""", $"duplicate id \"{ExampleIds.FromContent("gsm8k", PromptTemplates.Gsm8k("What is 1+1?"), "2")}\" (first seen at line 1)" },
        { GoodMath, """{"problem": "What is $2+3$?", "solution": "It is 5."}""", "field \"solution\" has no \\boxed{} final answer" },
        { GoodMath, """{"problem": "What is $2+3$?", "level": "Level 1"}""", "field \"solution\" is missing (and there is no \"answer\")" },
        { GoodMath, """{"problem": "What is $2+3$?", "answer": ["5"]}""", "field \"answer\" must be a string or a number, got a list" },
        { GoodVerl, Verl("\"What is 2+3?\""), "field \"prompt\" must be a list, got a string" },
        { GoodVerl, Verl("""[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is 2+3?"}]"""),
            "field \"prompt\": only single-turn prompts with one user message are supported (found 2 messages: system, user)" },
        { GoodVerl, Verl("""[{"role": "assistant", "content": "What is 2+3?"}]"""), "field \"prompt[0].role\" must be \"user\", got \"assistant\"" },
        { GoodVerl, Verl("""[{"role": "user"}]"""), "field \"prompt[0].content\" is missing" },
        { GoodVerl, Verl("""[{"role": "user", "content": "What is 2+3?"}]""", """{"style": "rule"}"""), "field \"reward_model.ground_truth\" is missing" },
        { GoodVerl, Verl("""[{"role": "user", "content": "What is 2+3?"}]""", """{"style": "rule", "ground_truth": null}"""), "field \"reward_model.ground_truth\" is null" },
        { GoodVerl, Verl("""[{"role": "user", "content": "What is 2+3?"}]""", "\"5\""), "field \"reward_model\" must be an object, got a string" },
        { GoodStageOne, StageOne("\"response_0\": \"#### 5\", \"response_1\": \"#### 4\", \"eval_0\": 1"), "field \"eval_1\" is missing" },
        { GoodStageOne, StageOne("\"response_0\": \"#### 5\", \"response_1\": \"#### 4\", \"eval_0\": \"1\", \"eval_1\": 0"), "field \"eval_0\" must be a number, got a string" },
        { GoodStageOne, StageOne("\"response_0\": null, \"response_1\": \"#### 4\", \"eval_0\": 1, \"eval_1\": 0"), "field \"response_0\" is null, expected a string" },
        { GoodStageOne, StageOne("\"response_0\": \"#### 5\", \"response_1\": \"#### 4\", \"eval_0\": 1, \"eval_1\": 0, \"eval_2\": 1"), "field \"eval_2\" has no matching \"response_2\"" },
        { GoodStageOne, StageOne("\"response_0\": \"#### 5\", \"eval_0\": 1"), "field \"response_1\": this row has 1 stage-1 samples but line 1 has 2" },
        { GoodStageOne, StageOne("\"eval_0\": 1"), "field \"response_0\" is missing" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void BadRowNamesFileLineAndField(string good, string bad, string expected)
    {
        using var dir = new TempFolder();
        var path = dir.WriteLines("data.jsonl", good, bad);

        var error = Assert.Throws<InvalidDataException>(() => DatasetReader.Read(path));

        Assert.StartsWith($"{path} line 2: {expected}", error.Message);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SkipBadRowsKeepsTheGoodRowAndExplains(string good, string bad, string expected)
    {
        using var dir = new TempFolder();
        var path = dir.WriteLines("data.jsonl", good, bad);

        var result = DatasetReader.Read(path, new DatasetReadOptions { SkipBadRows = true });

        Assert.Single(result.Examples);
        Assert.Equal(1, result.SkippedRows);
        Assert.StartsWith($"{path} line 2: {expected}", Assert.Single(result.SkipReasons));
    }

    [Fact]
    public void LineNumbersCountBlankLines()
    {
        using var dir = new TempFolder();
        var path = dir.WriteLines("data.jsonl", GoodGsm, "", "   ", """{"question": "Q"}""");
        var error = Assert.Throws<InvalidDataException>(() => DatasetReader.Read(path));
        Assert.Equal($"{path} line 4: field \"answer\" is missing", error.Message);
    }

    [Fact]
    public void SkipBadRowsCountsEverySkippedRowAndCapsReasons()
    {
        using var dir = new TempFolder();
        var lines = new List<string>();
        for (var i = 0; i < 10; i++)
            lines.Add(i % 3 == 0
                ? $$"""{"question": "What is {{i}}+1?"}"""
                : $$"""{"question": "What is {{i}}+1?", "answer": "#### {{i + 1}}"}""");
        var path = dir.WriteLines("data.jsonl", [.. lines]);

        var result = DatasetReader.Read(path, new DatasetReadOptions { SkipBadRows = true, MaxSkipReasons = 2 });

        // Rows 0, 3, 6, 9 (lines 1, 4, 7, 10) lack "answer".
        Assert.Equal(6, result.Examples.Count);
        Assert.Equal(4, result.SkippedRows);
        Assert.Equal([$"{path} line 1: field \"answer\" is missing", $"{path} line 4: field \"answer\" is missing"], result.SkipReasons);
        Assert.Equal(["2", "3", "5", "6", "8", "9"], result.Examples.Select(e => e.GroundTruth));
    }

    [Fact]
    public void AllRowsBadIsAnErrorEvenWhenSkipping()
    {
        using var dir = new TempFolder();
        var path = dir.WriteLines("data.jsonl", """{"question": "Q"}""", """{"question": "R"}""");
        var error = Assert.Throws<InvalidDataException>(() => DatasetReader.Read(path, new DatasetReadOptions { SkipBadRows = true, Format = DatasetFormat.Gsm8k }));
        Assert.StartsWith($"{path}: no usable rows (2 skipped; first: {path} line 1: field \"answer\" is missing", error.Message);
    }

    [Fact]
    public void ParquetRowErrorsNameTheRow()
    {
        using var dir = new TempFolder();
        var path = dir.File("train.parquet");
        const string suffix = " Let's think step by step and output the final answer after \"####\".";
        VerlParquet.Write(path,
        [
            new("openai/gsm8k", "What is 1+1?" + suffix, "2", "What is 1+1?", 0),
            new("openai/gsm8k", "What is 2+2?" + suffix, null, "What is 2+2?", 1),
            new("openai/gsm8k", "What is 3+3?" + suffix, "6", "What is 3+3?", 2, Role: "system"),
        ]);

        var error = Assert.Throws<InvalidDataException>(() => DatasetReader.Read(path));
        Assert.Equal($"{path} row 2: field \"reward_model.ground_truth\" is null", error.Message);

        var skipped = DatasetReader.Read(path, new DatasetReadOptions { SkipBadRows = true });
        Assert.Equal(2, skipped.SkippedRows);
        Assert.Equal("2", Assert.Single(skipped.Examples).GroundTruth);
        Assert.StartsWith($"{path} row 3: field \"prompt[0].role\" must be \"user\"", skipped.SkipReasons[1]);
    }

    [Fact]
    public void FileLevelProblemsAreClearErrors()
    {
        using var dir = new TempFolder();

        var empty = dir.WriteLines("empty.jsonl", "", "  ");
        Assert.Equal($"{empty}: file is empty", Assert.Throws<InvalidDataException>(() => DatasetReader.Read(empty)).Message);

        var zero = dir.File("zero.parquet");
        File.WriteAllBytes(zero, []);
        Assert.Equal($"{zero}: file is empty", Assert.Throws<InvalidDataException>(() => DatasetReader.Read(zero)).Message);

        var garbage = dir.File("garbage.parquet");
        File.WriteAllBytes(garbage, [.. "PAR1"u8, 1, 2, 3, 4, 5, 6, 7, 8, .. "PAR1"u8]);
        Assert.StartsWith($"{garbage}: not a readable Parquet file", Assert.Throws<InvalidDataException>(() => DatasetReader.Read(garbage)).Message);

        var noRows = dir.File("norows.parquet");
        VerlParquet.Write(noRows, []);
        Assert.Equal($"{noRows}: Parquet file has no rows", Assert.Throws<InvalidDataException>(() => DatasetReader.Read(noRows)).Message);

        var unknown = dir.WriteLines("unknown.jsonl", """{"text": "hello", "label": 1}""");
        Assert.StartsWith($"{unknown}: cannot tell the dataset format from its fields at line 1 (text, label)",
            Assert.Throws<InvalidDataException>(() => DatasetReader.Read(unknown)).Message);

        var missing = dir.File("missing.jsonl");
        Assert.Throws<FileNotFoundException>(() => DatasetReader.Read(missing));
        Assert.Throws<ArgumentException>(() => DatasetReader.Read(unknown, new DatasetReadOptions { Task = "chess" }));
    }
}

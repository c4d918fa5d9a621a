using Apo.Tasks.Data;
using Parquet;

namespace Apo.Tasks.Tests.Data;

public class StageOneImportTests
{
    private const string Suffix = " Let's think step by step and output the final answer after \"####\".";

    private static VerlParquet.Row AuthorsRow(int index, string question, string truth, double[] evals) =>
        new("openai/gsm8k", question + Suffix, truth, question, index,
            evals.Select((e, i) => $"Step {i}: ... so the answer is\n#### {(e > 0 ? truth : "0")}").ToArray(), evals);

    [Fact]
    public void AuthorsParquetExportFillsNSamplesAndRewards()
    {
        using var dir = new TempFolder();
        var path = dir.File("gsm8k_eval.parquet");
        VerlParquet.Write(path,
        [
            AuthorsRow(0, "What is 2+3?", "5", [1, 0, 1, 1]),
            AuthorsRow(1, "What is 7*6?", "42", [0, 0, 0, 0]),
        ], samples: 4);

        var result = DatasetReader.Read(path);

        Assert.Equal(DatasetFormat.StageOneExport, result.Format);
        var first = result.Examples[0].StageOne!;
        Assert.Equal(4, first.Count);
        Assert.Equal([1.0, 0.0, 1.0, 1.0], first.Select(s => s.Reward));
        Assert.Equal("Step 1: ... so the answer is\n#### 0", first[1].Response);
        Assert.Equal([0.0, 0.0, 0.0, 0.0], result.Examples[1].StageOne!.Select(s => s.Reward));
    }

    [Fact]
    public void IntegerEvalColumnsAreAccepted()
    {
        using var dir = new TempFolder();
        var path = dir.File("ints.parquet");
        VerlParquet.Write(path, [AuthorsRow(0, "What is 2+3?", "5", [1, 0])], samples: 2, evalsAsLong: true);
        Assert.Equal([1.0, 0.0], DatasetReader.Read(path).Examples[0].StageOne!.Select(s => s.Reward));
    }

    [Fact]
    public void RawGsm8kJsonlWithSampleColumnsAlsoImports()
    {
        using var dir = new TempFolder();
        var path = dir.WriteLines("raw.jsonl",
            """{"question": "What is 1+1?", "answer": "1+1=2\n#### 2", "response_0": "1+1=2\n#### 2", "response_1": "#### 3", "eval_0": 1.0, "eval_1": false}""");
        var samples = DatasetReader.Read(path).Examples[0].StageOne!;
        Assert.Equal([new StageOneSample("1+1=2\n#### 2", 1.0), new StageOneSample("#### 3", 0.0)], samples);
    }

    [Theory]
    [InlineData("export.jsonl")]
    [InlineData("export.parquet")]
    public void WriterRoundTripsExamplesExactly(string name)
    {
        using var dir = new TempFolder();
        var examples = new[]
        {
            new PromptExample("sha-0123456789abcdef", "What is 2+3?", PromptTemplates.Gsm8k("What is 2+3?"), "5", "apo/synthetic-arithmetic", TaskKinds.Gsm8k,
                [new("2+3=5\n#### 5", 1), new("#### 6", 0), new("ünïcödé ✓ <b>&</b> \"q\"", 0.5)]),
            new PromptExample("q-2", "Find $x$ if $2x=1$.", PromptTemplates.Math("Find $x$ if $2x=1$."), "\\frac{1}{2}", "lighteval/MATH", TaskKinds.Math,
                [new("$\\boxed{\\frac12}$", 1), new("", 0), new("x", 0)]),
        };
        var path = dir.File(name);

        DatasetWriter.WriteStageOne(path, examples);
        var back = DatasetReader.Read(path);

        Assert.Equal(DatasetFormat.StageOneExport, back.Format);
        Assert.Equal(examples.Length, back.Examples.Count);
        for (var i = 0; i < examples.Length; i++)
        {
            Assert.Equal(examples[i] with { StageOne = null }, back.Examples[i] with { StageOne = null });
            Assert.Equal(examples[i].StageOne!, back.Examples[i].StageOne!);
        }
        Assert.Equal([name], Directory.GetFiles(dir.Path).Select(Path.GetFileName)); // no temp file left behind
    }

    [Fact]
    public async Task ParquetExportUsesTheAuthorsColumnNames()
    {
        using var dir = new TempFolder();
        var path = dir.File("export.parquet");
        DatasetWriter.WriteStageOneParquet(path,
            [new PromptExample("a", "Q", PromptTemplates.Gsm8k("Q"), "1", "openai/gsm8k", TaskKinds.Gsm8k, [new("r0", 1), new("r1", 0)])]);

        await using var stream = File.OpenRead(path);
        await using var reader = await ParquetReader.CreateAsync(stream);
        var names = reader.Schema.Fields.Select(f => f.Name).ToList();
        Assert.Equal(["data_source", "prompt", "ability", "reward_model", "extra_info", "response_0", "response_1", "eval_0", "eval_1"], names);
        Assert.Equal(1, reader.RowGroupCount);
    }

    [Fact]
    public void WriterRejectsUnevenSampleCounts()
    {
        using var dir = new TempFolder();
        var a = new PromptExample("a", "Q", "Q", "1", "s", TaskKinds.Gsm8k, [new("r", 1)]);
        var b = a with { Id = "b", StageOne = [new("r", 1), new("s", 0)] };
        Assert.Throws<ArgumentException>(() => DatasetWriter.WriteStageOneJsonl(dir.File("x.jsonl"), [a, b]));
        Assert.Throws<ArgumentException>(() => DatasetWriter.WriteStageOneJsonl(dir.File("x.jsonl"), [a with { StageOne = null }]));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void WriterReplacesAnExistingFile()
    {
        using var dir = new TempFolder();
        var path = dir.WriteLines("train.jsonl", "old content that is not JSON");
        DatasetWriter.WriteGsm8kJsonl(path, [new Gsm8kRow("What is 1+1?", "1 + 1 = 2.\n#### 2")]);
        Assert.Equal("{\"question\":\"What is 1+1?\",\"answer\":\"1 + 1 = 2.\\n#### 2\"}\n", File.ReadAllText(path));
        Assert.Equal("2", DatasetReader.Read(path).Examples[0].GroundTruth);
    }
}

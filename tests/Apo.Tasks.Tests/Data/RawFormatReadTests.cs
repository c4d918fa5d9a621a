using Apo.Tasks.Data;

namespace Apo.Tasks.Tests.Data;

public class RawFormatReadTests
{
    [Fact]
    public void Gsm8kJsonlGivesTemplatedPromptAndNumberAfterLastMarker()
    {
        using var dir = new TempFolder();
        var path = dir.WriteLines("train.jsonl", SampleRows.Gsm8kNatalia, "", SampleRows.Gsm8kThousands);

        var result = DatasetReader.Read(path);

        Assert.Equal(DatasetFormat.Gsm8k, result.Format);
        Assert.Equal(0, result.SkippedRows);
        Assert.Equal(2, result.Examples.Count);
        var natalia = result.Examples[0];
        Assert.Equal(SampleRows.NataliaQuestion, natalia.Question);
        Assert.Equal(SampleRows.NataliaQuestion + " Let's think step by step and output the final answer after \"####\".", natalia.Prompt);
        Assert.Equal("72", natalia.GroundTruth);
        Assert.Equal(TaskKinds.Gsm8k, natalia.Task);
        Assert.Equal("openai/gsm8k", natalia.DataSource);
        Assert.Null(natalia.StageOne);
        Assert.Equal("1250", result.Examples[1].GroundTruth); // "#### 1,250" with the comma stripped
    }

    [Fact]
    public void ContentIdsAreStableAcrossFilesAndOrder()
    {
        using var dir = new TempFolder();
        var a = DatasetReader.Read(dir.WriteLines("a.jsonl", SampleRows.Gsm8kNatalia, SampleRows.Gsm8kThousands));
        var b = DatasetReader.Read(dir.WriteLines("b.jsonl", SampleRows.Gsm8kThousands, SampleRows.Gsm8kNatalia));

        Assert.Equal(a.Examples[0].Id, b.Examples[1].Id);
        Assert.Equal(a.Examples[1].Id, b.Examples[0].Id);
        Assert.NotEqual(a.Examples[0].Id, a.Examples[1].Id);
        Assert.Equal(ExampleIds.FromContent(TaskKinds.Gsm8k, a.Examples[0].Prompt, "72"), a.Examples[0].Id);
    }

    [Fact]
    public void FileIdWinsOverContentHash()
    {
        using var dir = new TempFolder();
        var path = dir.WriteLines("ids.jsonl",
            """{"id": "q-1", "question": "What is 1+1?", "answer": "1+1=2\n#### 2"}""",
            """{"id": 7, "question": "What is 1+2?", "answer": "1+2=3\n#### 3"}""");
        var result = DatasetReader.Read(path);
        Assert.Equal(["q-1", "7"], result.Examples.Select(e => e.Id));
    }

    [Fact]
    public void MathJsonlTakesLastBoxedOrExplicitAnswer()
    {
        using var dir = new TempFolder();
        var path = dir.WriteLines("math.jsonl", SampleRows.MathSqrt, SampleRows.MathFraction, SampleRows.Math500WithAnswer);

        var result = DatasetReader.Read(path);

        Assert.Equal(DatasetFormat.Math, result.Format);
        Assert.Equal(["12", "\\frac{1}{2}", "\\left( 3, \\frac{\\pi}{2} \\right)"], result.Examples.Select(e => e.GroundTruth));
        Assert.All(result.Examples, e => Assert.Equal(TaskKinds.Math, e.Task));
        Assert.All(result.Examples, e => Assert.Equal("lighteval/MATH", e.DataSource));
        Assert.Equal("If $2x = 1$, what is $x$? Let's think step by step and output the final answer within \\boxed{}.", result.Examples[1].Prompt);
        Assert.Equal("test/precalculus/807.json", result.Examples[2].Id); // MATH-500's unique_id
    }

    [Fact]
    public void FormatCanBeForcedAndDataSourceOverridden()
    {
        using var dir = new TempFolder();
        // Has "problem" too, which alone would look like MATH; forcing GSM8K reads question/answer.
        var path = dir.WriteLines("mixed.jsonl", """{"question": "What is 3+4?", "answer": "3+4=7\n#### 7", "problem": "ignored"}""");

        var asGsm = DatasetReader.Read(path, new DatasetReadOptions { Format = DatasetFormat.Gsm8k, DataSource = "mine" });
        Assert.Equal("7", asGsm.Examples[0].GroundTruth);
        Assert.Equal("mine", asGsm.Examples[0].DataSource);

        var asVerl = Assert.Throws<InvalidDataException>(() => DatasetReader.Read(path, new DatasetReadOptions { Format = DatasetFormat.Verl }));
        Assert.Equal($"{path} line 1: field \"prompt\" is missing", asVerl.Message);
    }
}

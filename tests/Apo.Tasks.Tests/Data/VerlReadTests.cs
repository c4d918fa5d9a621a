using Apo.Tasks.Data;

namespace Apo.Tasks.Tests.Data;

public class VerlReadTests
{
    private const string Gsm8kSuffix = " Let's think step by step and output the final answer after \"####\".";
    private const string MathSuffix = " Let's think step by step and output the final answer within \\boxed{}.";

    [Fact]
    public void VerlParquetKeepsTheTemplatedUserMessageAsPrompt()
    {
        using var dir = new TempFolder();
        var path = dir.File("train.parquet");
        VerlParquet.Write(path,
        [
            new("openai/gsm8k", SampleRows.NataliaQuestion + Gsm8kSuffix, "72", SampleRows.NataliaQuestion, 0),
            new("lighteval/MATH", "What is $1+1$?" + MathSuffix, "2", "What is $1+1$?", 1),
        ]);

        var result = DatasetReader.Read(path);

        Assert.Equal(DatasetFormat.Verl, result.Format);
        var gsm = result.Examples[0];
        Assert.Equal(SampleRows.NataliaQuestion + Gsm8kSuffix, gsm.Prompt);
        Assert.Equal(SampleRows.NataliaQuestion, gsm.Question);
        Assert.Equal("72", gsm.GroundTruth);
        Assert.Equal(TaskKinds.Gsm8k, gsm.Task);
        Assert.Equal("openai/gsm8k", gsm.DataSource);
        Assert.Equal(TaskKinds.Math, result.Examples[1].Task);
        // Same prompt and truth as the raw GSM8K row gives the same content id.
        Assert.Equal(ExampleIds.FromContent(TaskKinds.Gsm8k, PromptTemplates.Gsm8k(SampleRows.NataliaQuestion), "72"), gsm.Id);
    }

    [Fact]
    public void VerlJsonlReadsLikeParquet()
    {
        using var dir = new TempFolder();
        var jsonl = dir.WriteLines("train.jsonl", SampleRows.VerlGsm8k(0, SampleRows.NataliaQuestion, SampleRows.NataliaAnswer, "72"));
        var parquet = dir.File("train.parquet");
        VerlParquet.Write(parquet, [new("openai/gsm8k", SampleRows.NataliaQuestion + Gsm8kSuffix, "72", SampleRows.NataliaQuestion, 0)]);

        Assert.Equal(DatasetReader.Read(parquet).Examples[0], DatasetReader.Read(jsonl).Examples[0]);
    }

    [Fact]
    public void TaskComesFromTemplateWhenDataSourceIsUnknown_AndCanBeForced()
    {
        using var dir = new TempFolder();
        var path = dir.WriteLines("mine.jsonl",
            """{"data_source": "my/aime", "prompt": [{"role": "user", "content": "Find n. Let's think step by step and output the final answer within \\boxed{}."}], "reward_model": {"style": "rule", "ground_truth": 204}}""",
            """{"data_source": "my/olympiad", "prompt": [{"role": "user", "content": "Find m."}], "reward_model": {"style": "rule", "ground_truth": "3"}}""");

        var error = Assert.Throws<InvalidDataException>(() => DatasetReader.Read(path));
        Assert.StartsWith($"{path} line 2: field \"data_source\": cannot tell the task", error.Message);

        var forced = DatasetReader.Read(path, new DatasetReadOptions { Task = TaskKinds.Math });
        Assert.Equal(["204", "3"], forced.Examples.Select(e => e.GroundTruth)); // a numeric ground_truth is accepted as text
        Assert.Equal("Find n.", forced.Examples[0].Question); // no extra_info.question: instruction stripped
        Assert.Equal("Find m.", forced.Examples[1].Prompt);
    }

    [Fact]
    public void ParquetWithoutRequiredColumnsIsAFileLevelError()
    {
        using var dir = new TempFolder();
        var path = dir.File("broken.parquet");
        VerlParquet.Write(path, [new("openai/gsm8k", "Q" + Gsm8kSuffix, "1", "Q", 0)], withRewardModel: false);

        var forced = Assert.Throws<InvalidDataException>(() => DatasetReader.Read(path, new DatasetReadOptions { Format = DatasetFormat.Verl, SkipBadRows = true }));
        Assert.StartsWith($"{path}: Parquet file lacks column \"reward_model\"", forced.Message);

        var detected = Assert.Throws<InvalidDataException>(() => DatasetReader.Read(path));
        Assert.StartsWith($"{path}: cannot tell the dataset format from its columns (data_source, prompt, ability, extra_info)", detected.Message);
    }

    [Fact]
    public void Gsm8kGroundTruthGivenAsFullSolutionIsReducedToTheFinalNumber()
    {
        // Seen in a public verl-style GSM8K parquet: reward_model.ground_truth holds the whole solution.
        using var dir = new TempFolder();
        var path = dir.WriteLines("train.jsonl", SampleRows.VerlGsm8k(0, SampleRows.NataliaQuestion, SampleRows.NataliaAnswer, SampleRows.NataliaAnswer));
        Assert.Equal("72", DatasetReader.Read(path).Examples[0].GroundTruth);
    }
}

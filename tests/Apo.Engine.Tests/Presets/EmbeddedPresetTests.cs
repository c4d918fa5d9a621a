using System.Text.Json.Nodes;
using Apo.Engine.Presets;
using Apo.Tasks.Synthetic;

namespace Apo.Engine.Tests.Presets;

public class EmbeddedPresetTests
{
    public static TheoryData<string> Names => ["tiny", "default"];

    [Theory, MemberData(nameof(Names))]
    public void ShippedPresetsAreValidAndUseThePaperStageOneAndEmbeddedVocabulary(string name)
    {
        var preset = EmbeddedPreset.Named(name);
        preset.Validate();
        Assert.Equal(name, preset.Name);
        Assert.Equal(512, preset.Model.VocabSize); // EmbeddedTokenizer.VocabularySize
        Assert.Equal(8, preset.StageOne.Samples);
        Assert.Equal(0.5, preset.StageOne.Beta1);
        Assert.Equal(1.0, preset.StageOne.Temperature);
        Assert.Equal(1.0, preset.StageOne.TopP);
        Assert.Equal(2, preset.StageTwo.MiniBatches);
        Assert.Equal(1.0, preset.StageTwo.Temperature);
        Assert.Equal(4, preset.Evaluation.K);
        Assert.Equal(1.0, preset.Evaluation.Temperature);
        Assert.InRange(preset.TorchThreads, 1, 2);
        var config = preset.Model.ToConfig(eosTokenId: 509);
        config.Validate();
        Assert.Equal([509], config.EosTokenIds);
    }

    [Theory, MemberData(nameof(Names))]
    public void RoundTripsThroughJson(string name)
    {
        var preset = EmbeddedPreset.Named(name);
        string json = EmbeddedPresetJson.Serialize(preset);
        var back = EmbeddedPresetJson.Deserialize(json);
        // Records compare by value, but lists (task operations) compare by reference: compare the JSON too.
        Assert.Equal(json, EmbeddedPresetJson.Serialize(back));
        Assert.Equal(preset with { Task = back.Task }, back);
        Assert.Equal(preset.Task.Operations, back.Task.Operations);
        Assert.Contains("\"add\"", json); // operations are written by name, not number
    }

    [Fact]
    public void OverlayChangesOnlyTheKnobsItNames()
    {
        var baseline = EmbeddedPreset.Default;
        var result = EmbeddedPresetJson.Overlay(baseline, """
            // comments are allowed
            { "stageTwo": { "beta2": 0.02, "iterations": 3 }, "task": { "operations": ["add"] }, "torchThreads": 1, }
            """);
        Assert.Equal(0.02, result.StageTwo.Beta2);
        Assert.Equal(3, result.StageTwo.Iterations);
        Assert.Equal(1, result.TorchThreads);
        Assert.Equal([ArithmeticOperation.Add], result.Task.Operations);
        Assert.Equal(baseline.StageTwo with { Beta2 = 0.02, Iterations = 3 }, result.StageTwo);
        Assert.Equal(baseline.Sft, result.Sft);
        Assert.Equal(baseline.Model, result.Model);
        Assert.Equal(baseline.Task.TrainCount, result.Task.TrainCount);
    }

    [Fact]
    public void UnknownOrOutOfRangeKnobsFailWithTheFileAndKnob()
    {
        var unknown = Assert.Throws<InvalidDataException>(() =>
            EmbeddedPresetJson.Overlay(EmbeddedPreset.Tiny, """{ "stageTwo": { "beta_2": 0.1 } }""", "run.json"));
        Assert.Contains("run.json", unknown.Message);
        Assert.Contains("beta_2", unknown.Message);

        var range = Assert.Throws<InvalidDataException>(() =>
            EmbeddedPresetJson.Overlay(EmbeddedPreset.Tiny, """{ "stageTwo": { "promptsPerBatch": 100000 } }""", "run.json"));
        Assert.Contains("run.json", range.Message);
        Assert.Contains("stageTwo.promptsPerBatch", range.Message);

        var beta2 = Assert.Throws<InvalidDataException>(() =>
            EmbeddedPresetJson.Overlay(EmbeddedPreset.Tiny, """{ "stageTwo": { "beta2": -1 } }""", "run.json"));
        Assert.Contains("Beta2", beta2.Message);

        var malformed = Assert.Throws<InvalidDataException>(() => EmbeddedPresetJson.Overlay(EmbeddedPreset.Tiny, "{ \"seed\": ", "run.json"));
        Assert.Contains("run.json line 1", malformed.Message);

        Assert.Throws<FileNotFoundException>(() => EmbeddedPresetJson.Load("/nonexistent/run.json", EmbeddedPreset.Tiny));
        Assert.Throws<ArgumentException>(() => EmbeddedPreset.Named("huge"));
    }

    [Fact]
    public void HeldOutPromptsMustFitTheTestSplit()
    {
        var preset = EmbeddedPreset.Tiny with { Evaluation = EmbeddedPreset.Tiny.Evaluation with { HeldOutPrompts = EmbeddedPreset.Tiny.Task.TestCount + 1 } };
        var e = Assert.Throws<InvalidDataException>(() => preset.Validate());
        Assert.Contains("evaluation.heldOutPrompts", e.Message);
    }
}

using System.Text.Json;
using Apo.Cli.Configuration;

namespace Apo.Cli.Tests;

public class JsonOverridesTests
{
    public sealed record Inner(double Rate = 0.1, int Steps = 10);
    public sealed record Settings(string Name = "tiny", Inner? Train = null, int[]? Sizes = null);

    static readonly JsonSerializerOptions Options = new();

    [Fact]
    public void OverridesReplaceNamedFieldsAndMergeNestedObjects()
    {
        using var dir = new TempDirectory();
        var baseline = new Settings(Train: new Inner(), Sizes: [1, 2]);
        string file = dir.Write("o.json", """{ "Train": { "Steps": 99 }, "Sizes": [7], /* comments allowed */ }""");
        var merged = JsonOverrides.Apply(baseline, file, Options);
        Assert.Equal("tiny", merged.Name);
        Assert.Equal(0.1, merged.Train!.Rate);
        Assert.Equal(99, merged.Train.Steps);
        Assert.Equal([7], merged.Sizes!);
    }

    [Theory]
    [InlineData("""{ "Train": { "Stpes": 3 } }""", "unknown field \"Train.Stpes\"")]
    [InlineData("""{ "Nmae": "x" }""", "unknown field \"Nmae\"")]
    [InlineData("""{ "Train": { "Steps": "many" } }""", "Train.Steps")]
    [InlineData("""[1, 2]""", "expected a JSON object")]
    [InlineData("""{ "Name": """, "not valid JSON")]
    public void BadOverridesNameTheFileAndField(string json, string expected)
    {
        using var dir = new TempDirectory();
        string file = dir.Write("bad.json", json);
        var error = Assert.Throws<InvalidDataException>(() => JsonOverrides.Apply(new Settings(Train: new Inner()), file, Options));
        Assert.Contains("bad.json", error.Message);
        Assert.Contains(expected, error.Message);
    }
}

using Apo.Tasks.Evaluation;
using Apo.Tasks.Verifiers;

namespace Apo.Tasks.Tests.Evaluation;

public class EvaluationReportTests
{
    private static EvaluationReport Sample() => new()
    {
        Task = "gsm8k",
        Split = "test",
        Checkpoint = "runs/a/step-100",
        Prompts = 3,
        GreedyAccuracy = 2.0 / 3,
        SamplesPerPrompt = 4,
        Temperature = 0.6,
        TopP = 0.95,
        AverageAtK = 0.5,
        PassAtK = new Dictionary<int, double> { [1] = 0.5, [4] = 0.9 },
        Kl = new KlEstimate(1.25, 0.01, 3, 125),
        ResponseLength = new LengthStatistics(12, 40, 30, 76, 100),
        TruncationRate = 0.25,
        Verifier = new VerifierStatsSnapshot(12, 6, 4, 1, 0, 0, 1, 0),
    };

    [Fact]
    public void Round_trips_through_json()
    {
        var report = Sample();
        var back = EvaluationReport.FromJson(report.ToJson());
        Assert.Equal(report.Task, back.Task);
        Assert.Equal(report.GreedyAccuracy, back.GreedyAccuracy);
        Assert.Equal(report.PassAtK, back.PassAtK);
        Assert.Equal(report.Kl, back.Kl);
        Assert.Equal(report.ResponseLength, back.ResponseLength);
        Assert.Equal(report.Verifier, back.Verifier);
        Assert.Equal(report.TruncationRate, back.TruncationRate);
    }

    [Fact]
    public void Json_uses_camel_case_and_omits_missing_metrics()
    {
        string json = new EvaluationReport { Task = "math", Prompts = 5, GreedyAccuracy = 0.4 }.ToJson();
        Assert.Contains("\"greedyAccuracy\": 0.4", json);
        Assert.DoesNotContain("passAtK", json);
        Assert.DoesNotContain("kl", json);
    }

    [Fact]
    public void Nan_metrics_do_not_break_serialisation()
    {
        var report = Sample() with { Kl = new KlEstimate(double.NaN, double.NaN, 1, 1) };
        var back = EvaluationReport.FromJson(report.ToJson());
        Assert.True(double.IsNaN(back.Kl!.PerSequence));
    }

    [Fact]
    public void Saves_atomically_and_loads()
    {
        string folder = Path.Combine(Path.GetTempPath(), "apo-report-" + Guid.NewGuid().ToString("N"));
        try
        {
            string path = Path.Combine(folder, "eval", "report.json");
            Sample().Save(path);
            Sample().Save(path); // overwrite works
            Assert.Equal(Sample().PassAtK, EvaluationReport.Load(path).PassAtK);
            Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!)); // no temp file left
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Malformed_json_names_its_source()
    {
        var error = Assert.Throws<InvalidDataException>(() => EvaluationReport.FromJson("{ not json", "eval/report.json"));
        Assert.StartsWith("eval/report.json:", error.Message);
        Assert.Throws<FileNotFoundException>(() => EvaluationReport.Load("/nonexistent/report.json"));
    }
}

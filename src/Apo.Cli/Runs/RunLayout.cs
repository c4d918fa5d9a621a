namespace Apo.Cli.Runs;

/// <summary>Where everything of one run lives under its output directory.</summary>
public sealed record RunLayout(string Root)
{
    public string RunConfig => Path.Combine(Root, "run.json");
    public string Data => Path.Combine(Root, "data");
    public string TrainData => Path.Combine(Data, "train.jsonl");
    public string TestData => Path.Combine(Data, "test.jsonl");
    public string Reference => Path.Combine(Root, "reference");
    public string State => Path.Combine(Root, "state");
    public string Metrics => Path.Combine(Root, "metrics.jsonl");
    public string Policy => Path.Combine(Root, "policy");
    public string Plots => Path.Combine(Root, "plots");
    public string SummaryJson => Path.Combine(Root, "summary.json");
    public string SummaryMarkdown => Path.Combine(Root, "summary.md");
    public string Timings => Path.Combine(Root, "timings.json");
}

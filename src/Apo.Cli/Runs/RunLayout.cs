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

    /// <summary>
    /// A run directory belongs to one configuration: <paramref name="identity"/> is recorded in
    /// run.json the first time; the same identity later resumes, another is refused before anything
    /// is touched (mixing two configurations in one directory would corrupt both).
    /// </summary>
    /// <param name="what">What differs, for the message, e.g. "settings".</param>
    public void Claim(string identity, string what)
    {
        if (File.Exists(RunConfig))
        {
            if (File.ReadAllText(RunConfig) == identity) return;
            throw new UsageException($"{Root} holds a run with different {what} (see {RunConfig}); use another --out, or delete it to start over");
        }
        Apo.Common.IO.AtomicFile.WriteAllText(RunConfig, identity);
    }
}

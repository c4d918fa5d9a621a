namespace Apo.Abstractions.Runs;

/// <summary>The coordinator of one run, keyed by run id: sequences stage 1 → stage 2 → evaluation, resumably.</summary>
[Alias("apo.IRunGrain")]
public interface IRunGrain : IGrainWithStringKey
{
    /// <summary>Starts the run, or resumes it where it stopped when the spec equals the stored one.</summary>
    [Alias("Start")]
    Task<RunStatus> Start(RunSpec spec);

    /// <summary>Current progress.</summary>
    [Alias("GetStatus")]
    Task<RunStatus> GetStatus();

    /// <summary>Stops the run at the next safe point (after the current work unit or iteration).</summary>
    [Alias("Cancel")]
    Task Cancel();
}

using Apo.Model.Devices;

namespace Apo.Cli.Runs;

/// <summary>
/// Where a run's grains live, as the run driver sees it: an in-process silo
/// (<see cref="EmbeddedSession"/>) or a client of a running cluster (<see cref="ClusterSession"/>).
/// Everything else about a run (data, reference, stage 1, stage 2, evaluation) is the same code.
/// </summary>
public interface IRunSession : IAsyncDisposable
{
    /// <summary>The grains of the run (the silo's own factory, or the cluster client).</summary>
    IGrainFactory Grains { get; }

    /// <summary>The device thread local tensor work (evaluation) runs on.</summary>
    DeviceExecutor Executor { get; }
}

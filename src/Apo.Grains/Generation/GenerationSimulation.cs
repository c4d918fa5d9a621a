namespace Apo.Grains.Generation;

/// <summary>
/// A generator mode for scale tests: instead of sampling, a generator answers well-formed samples of
/// <see cref="ResponseTokens"/> tokens after the time a device of <see cref="TokensPerSecond"/> would take,
/// waiting without using the CPU. Everything else (prompt reads, V̂* reads, stage-1 records, the pool, retries)
/// is the real thing, so a machine with two cores can measure the control plane of many generator silos.
/// Off by default; bound from <c>Silo:Simulation</c>.
/// </summary>
public sealed class GenerationSimulation
{
    /// <summary>Simulate instead of sampling.</summary>
    public bool Enabled { get; set; }

    /// <summary>Tokens the simulated device produces per second over a whole batch; 0 = no latency at all (the control plane's ceiling).</summary>
    public double TokensPerSecond { get; set; }

    /// <summary>Tokens of every simulated response; 0 = each request's max new tokens.</summary>
    public int ResponseTokens { get; set; }
}

using System.CommandLine;
using Apo.Algorithm;

namespace Apo.Cli.Commands;

/// <summary>`--max-staleness k` of `apo run` and `apo train`: asynchronous stage 2 (A*-PO only).</summary>
static class StalenessOption
{
    public const string Name = "--max-staleness";

    public static Option<int?> Create() => new(Name)
    {
        Description = "Asynchronous stage 2: batch t is sampled with weight version max(0, t − k), so the generators sample the next " +
            "k batches while the trainer updates (0 = synchronous, the default). A*-PO only: its target r − V̂* does not depend on the sampling policy.",
    };

    /// <exception cref="UsageException">k is negative, or the algorithm is a baseline (which would need an importance-sampling correction).</exception>
    public static void Check(int maxStaleness, string algorithm)
    {
        if (maxStaleness < 0) throw new UsageException($"{Name} {maxStaleness}: must be ≥ 0 (0 = synchronous stage 2)");
        if (maxStaleness > 0 && !StageTwoAlgorithms.Parse(algorithm).TrainsOnStaleSamples())
            throw new UsageException($"{Name} {maxStaleness}: asynchronous stage 2 is for A*-PO only; " +
                $"{StageTwoAlgorithms.Parse(algorithm).CommandLineName()} trains on samples of its current policy and would need an " +
                "importance-sampling correction, which is not implemented (use --max-staleness 0)");
    }
}

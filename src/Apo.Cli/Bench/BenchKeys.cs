using Apo.Algorithm;

namespace Apo.Cli.Bench;

/// <summary>
/// The rows of `apo bench`: the four algorithms by their command-line names, and apo-async, A*-PO with
/// asynchronous stage 2 (max staleness 1) on the same task, seed and prompt updates.
/// </summary>
public static class BenchKeys
{
    public const string Synchronous = "apo";
    public const string Asynchronous = "apo-async";

    /// <summary>The max staleness of the apo-async row.</summary>
    public const int AsynchronousStaleness = 1;

    /// <summary>Every row, in report order.</summary>
    public static IReadOnlyList<string> All { get; } =
        [.. Enum.GetValues<StageTwoAlgorithm>().Select(a => a.CommandLineName()), Asynchronous];

    /// <summary>The row a command-line name selects (apo, astar-po, grpo, rebel, ppo or apo-async), or null.</summary>
    public static string? TryParse(string name) =>
        string.Equals(name.Trim(), Asynchronous, StringComparison.OrdinalIgnoreCase) ? Asynchronous
        : StageTwoAlgorithms.TryParse(name, out var algorithm) ? algorithm.CommandLineName()
        : null;

    /// <summary>The algorithm and max staleness a row runs.</summary>
    public static (StageTwoAlgorithm Algorithm, int MaxStaleness) Of(string key) =>
        key == Asynchronous ? (StageTwoAlgorithm.AStarPo, AsynchronousStaleness) : (StageTwoAlgorithms.Parse(key), 0);
}

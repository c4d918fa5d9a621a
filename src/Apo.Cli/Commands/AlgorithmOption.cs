using Apo.Algorithm;

namespace Apo.Cli.Commands;

/// <summary>The stage-2 algorithm named on the command line (apo, grpo, rebel or ppo).</summary>
static class AlgorithmOption
{
    /// <exception cref="UsageException">The name is none of them; the message names <paramref name="option"/>.</exception>
    public static StageTwoAlgorithm Parse(string? value, string option) =>
        StageTwoAlgorithms.TryParse(value, out var algorithm) ? algorithm
        : throw new UsageException($"{option}: unknown algorithm \"{value}\" (expected apo, grpo, rebel or ppo)");
}

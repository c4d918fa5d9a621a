namespace Apo.Algorithm;

/// <summary>The stage-2 learners that run on the same pipeline: A*-PO and the paper's three baselines.</summary>
public enum StageTwoAlgorithm
{
    AStarPo,
    Grpo,
    Rebel,
    Ppo,
}

/// <summary>Names, group sizes and data needs of the stage-2 algorithms.</summary>
public static class StageTwoAlgorithms
{
    /// <summary>Canonical names, as stored in plans and checkpoints.</summary>
    public static IReadOnlyList<string> Names { get; } = ["astar-po", "grpo", "rebel", "ppo"];

    /// <summary>Parses a canonical name, or "apo" for A*-PO; case-insensitive.</summary>
    /// <exception cref="ArgumentException">The name is none of them.</exception>
    public static StageTwoAlgorithm Parse(string name) => TryParse(name, out var algorithm) ? algorithm
        : throw new ArgumentException($"unknown algorithm \"{name}\" (expected apo, grpo, rebel or ppo)", nameof(name));

    public static bool TryParse(string? name, out StageTwoAlgorithm algorithm)
    {
        switch (name?.Trim().ToLowerInvariant())
        {
            case "apo" or "astar-po" or "a*-po": algorithm = StageTwoAlgorithm.AStarPo; return true;
            case "grpo": algorithm = StageTwoAlgorithm.Grpo; return true;
            case "rebel": algorithm = StageTwoAlgorithm.Rebel; return true;
            case "ppo": algorithm = StageTwoAlgorithm.Ppo; return true;
            default: algorithm = default; return false;
        }
    }

    public static string Name(this StageTwoAlgorithm algorithm) => Names[(int)algorithm];

    /// <summary>The name the command line uses: "apo" for A*-PO, else the canonical name.</summary>
    public static string CommandLineName(this StageTwoAlgorithm algorithm) =>
        algorithm == StageTwoAlgorithm.AStarPo ? "apo" : algorithm.Name();

    /// <summary>Responses drawn per prompt per iteration: 2 for the pairwise/group methods (paper App. A.5), else 1.</summary>
    public static int ResponsesPerPrompt(this StageTwoAlgorithm algorithm) =>
        algorithm is StageTwoAlgorithm.Grpo or StageTwoAlgorithm.Rebel ? 2 : 1;

    /// <summary>
    /// Whether the algorithm may train on samples drawn by an older policy (asynchronous stage 2) without a correction:
    /// only A*-PO, whose target r − V̂* does not depend on the policy that drew the sample. GRPO's and PPO's ratios and
    /// REBEL's log-ratio gap assume the current policy drew it, and no importance-sampling correction is implemented.
    /// </summary>
    public static bool TrainsOnStaleSamples(this StageTwoAlgorithm algorithm) => algorithm == StageTwoAlgorithm.AStarPo;

    /// <summary>Only A*-PO regresses onto r − V̂*, so only it needs stage 1.</summary>
    public static bool UsesOptimalValues(this StageTwoAlgorithm algorithm) => algorithm == StageTwoAlgorithm.AStarPo;
}

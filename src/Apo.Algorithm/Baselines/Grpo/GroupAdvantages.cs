using TorchSharp;
using static TorchSharp.torch;

namespace Apo.Algorithm.Baselines.Grpo;

/// <summary>
/// GRPO's outcome advantages: within each group of responses to the same prompt,
/// A = (r − group mean) / (group std + ε), the same value on every response token.
/// </summary>
public static class GroupAdvantages
{
    /// <summary>ε added to the group std (verl and the paper: 1e-6).</summary>
    public const double DefaultEpsilon = 1e-6;

    /// <summary>
    /// One advantage per response. The std is the UNBIASED sample std (n − 1 denominator), as
    /// verl computes it with torch.std; with 2 responses per prompt and binary rewards that makes
    /// a split group ±1/√2 (not ±1). A group of one response gets mean 0 and std 1, as in verl.
    /// </summary>
    /// <param name="scores">Outcome reward of each response.</param>
    /// <param name="groupIds">The prompt (group) each response belongs to; groups need not be contiguous.</param>
    /// <param name="epsilon">Added to the std so that a group with equal rewards gets advantage 0.</param>
    public static double[] Compute(IReadOnlyList<double> scores, IReadOnlyList<int> groupIds, double epsilon = DefaultEpsilon)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(groupIds);
        if (scores.Count != groupIds.Count)
            throw new ArgumentException($"{scores.Count} scores but {groupIds.Count} group ids; give one group id per response.", nameof(groupIds));
        if (!double.IsFinite(epsilon) || epsilon < 0)
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be a non-negative finite number.");
        for (var i = 0; i < scores.Count; i++)
        {
            if (!double.IsFinite(scores[i]))
                throw new ArgumentException($"score {i} is {scores[i]}; scores must be finite.", nameof(scores));
        }

        var members = new Dictionary<int, List<int>>();
        for (var i = 0; i < groupIds.Count; i++)
        {
            if (!members.TryGetValue(groupIds[i], out var list)) members[groupIds[i]] = list = [];
            list.Add(i);
        }

        var advantages = new double[scores.Count];
        foreach (var group in members.Values)
        {
            double mean = 0, std = 1;
            if (group.Count > 1)
            {
                mean = group.Average(i => scores[i]);
                var sumSquares = group.Sum(i => (scores[i] - mean) * (scores[i] - mean));
                std = Math.Sqrt(sumSquares / (group.Count - 1));
            }
            foreach (var i in group) advantages[i] = (scores[i] - mean) / (std + epsilon);
        }
        return advantages;
    }

    /// <summary>
    /// Broadcasts one advantage per response to every response token: A[b]·mask[b, t], shape [B, T],
    /// in float32 on the mask's device.
    /// </summary>
    public static Tensor ToTokens(IReadOnlyList<double> advantages, Tensor mask)
    {
        ArgumentNullException.ThrowIfNull(advantages);
        ArgumentNullException.ThrowIfNull(mask);
        if (mask.dim() != 2 || mask.shape[0] != advantages.Count)
            throw new ArgumentException($"mask has shape [{string.Join(", ", mask.shape)}]; expected [{advantages.Count}, T].", nameof(mask));
        using var scope = NewDisposeScope();
        var perSequence = tensor(advantages.Select(a => (float)a).ToArray(), device: mask.device);
        return (perSequence.unsqueeze(1) * mask.to_type(ScalarType.Float32)).MoveToOuterDisposeScope();
    }
}

using Apo.Algorithm;
using Apo.Model.Qwen2;

namespace Apo.Engine.Diagnostics;

/// <summary>
/// Floating-point operations of one stage-2 step, counted from the shapes (matmuls and attention; the
/// element-wise work is left out, as in the usual model-FLOPs accounting). A forward pass over a sequence of
/// L tokens whose last R are the response costs, per layer, 2·L·(its projection weights) for the projections and
/// 2·H·L² for causal attention (QKᵀ and AV, each over half the L² pairs), plus 2·H·V per response position for
/// the LM head (only those positions are projected); a backward pass costs twice its forward.
/// </summary>
public static class TrainStepFlops
{
    /// <summary>FLOPs of one forward pass over one sequence: the decoder layers, and the LM head on its response positions.</summary>
    public static (double Layers, double Head) Forward(Qwen2Config c, int promptTokens, int responseTokens)
    {
        double h = c.HiddenSize, kv = c.NumKeyValueHeads * c.HeadDim, length = promptTokens + responseTokens;
        double projections = h * h + 2 * h * kv + h * h + 3 * h * c.IntermediateSize;
        double layers = c.NumHiddenLayers * (2 * length * projections + 2 * h * length * length);
        return (layers, 2.0 * responseTokens * h * c.VocabSize);
    }

    /// <summary>
    /// Model FLOPs of one step of <paramref name="algorithm"/> over <paramref name="sequences"/> sequences (recomputation
    /// by activation checkpointing NOT counted, as model-FLOPs utilisation is defined), and the recomputation separately.
    /// A*-PO: reference forward + policy forward and backward. GRPO and REBEL add the old-log-prob forward; PPO adds that,
    /// the critic's old values (a forward without the LM head) and the critic's forward and backward.
    /// </summary>
    public static (double Model, double Recomputed) Step(Qwen2Config c, StageTwoAlgorithm algorithm, int sequences, int promptTokens, int responseTokens,
        bool checkpointing)
    {
        var (layers, head) = Forward(c, promptTokens, responseTokens);
        double forward = layers + head;
        double train = 3 * forward;                        // forward + backward (2×)
        double perSequence = algorithm switch
        {
            StageTwoAlgorithm.AStarPo => forward + train,
            StageTwoAlgorithm.Grpo or StageTwoAlgorithm.Rebel => 2 * forward + train,
            StageTwoAlgorithm.Ppo => 2 * forward + train + layers + 3 * layers,
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
        };
        double recomputed = !checkpointing ? 0 : algorithm == StageTwoAlgorithm.Ppo ? 2 * layers : layers;
        return (sequences * perSequence, sequences * recomputed);
    }
}

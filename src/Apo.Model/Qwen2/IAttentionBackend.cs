using static TorchSharp.torch;

namespace Apo.Model.Qwen2;

/// <summary>
/// Where a layer's attention finds the keys and values of earlier tokens, and how it attends to them
/// (the role of vLLM's attention backends). The layer computes q, k, v and applies the rotary
/// embedding; the backend stores k and v wherever its cache lives and returns the attended values.
/// Training attends densely within the batch (<see cref="DenseAttention"/>); generation attends
/// through a cache (<see cref="Inference.StaticCacheAttention"/>, the rollout engine's slot cache).
/// </summary>
public interface IAttentionBackend
{
    /// <param name="layer">Index of the calling decoder layer (each layer has its own cache).</param>
    /// <param name="q">Queries [B, heads, T, headDim], rotary applied.</param>
    /// <param name="k">This call's keys [B, kvHeads, T, headDim], rotary applied.</param>
    /// <param name="v">This call's values [B, kvHeads, T, headDim].</param>
    /// <returns>Attended values [B, heads, T, headDim].</returns>
    Tensor Attend(int layer, Tensor q, Tensor k, Tensor v);
}

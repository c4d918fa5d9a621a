using static TorchSharp.torch;

namespace Apo.Model.Qwen2;

/// <summary>
/// Attention within the call's own tokens, no cache: causal from slot 0 when there is no bias (right
/// padding only, no mask tensor at all), else under an additive bias [B, 1, T, S].
/// </summary>
public sealed class DenseAttention(Tensor? bias) : IAttentionBackend
{
    /// <summary>Plain causal attention without a mask tensor.</summary>
    public static readonly DenseAttention Causal = new(null);

    public Tensor? Bias => bias;

    public Tensor Attend(int layer, Tensor q, Tensor k, Tensor v) => Attend(q, k, v, bias);

    /// <summary>
    /// Scaled-dot-product attention of q [B, heads, T, d] over k, v [B, kvHeads, S, d], causal when
    /// <paramref name="bias"/> is null. Each key/value head serves heads/kvHeads consecutive query heads;
    /// the expansion copies k and v, which is cheap against the T×S scores of a many-token call.
    /// </summary>
    public static Tensor Attend(Tensor q, Tensor k, Tensor v, Tensor? bias)
    {
        using var scope = NewDisposeScope();
        long group = q.shape[1] / k.shape[1];
        if (group > 1)
        {
            k = k.repeat_interleave(group, dim: 1);
            v = v.repeat_interleave(group, dim: 1);
        }
        var attended = bias is null
            ? nn.functional.scaled_dot_product_attention(q, k, v, null, 0.0, true)
            : nn.functional.scaled_dot_product_attention(q, k, v, attn_mask: bias);
        return attended.MoveToOuterDisposeScope();
    }
}

using Apo.Model.Inference;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Apo.Model.Qwen2;

/// <summary>
/// Grouped-query self-attention with rotary positions. q/k/v projections carry a bias, o_proj does
/// not (the Qwen2 convention). Keys and values of earlier positions come from an external
/// <see cref="KvCache"/> when one is given; this module itself holds no per-sequence state.
/// </summary>
public sealed class Qwen2Attention : nn.Module
{
    readonly Projection q_proj, k_proj, v_proj, o_proj;
    readonly int layerIndex, heads, kvHeads, headDim;
    readonly double ropeTheta;

    public Qwen2Attention(Qwen2Config config, int layerIndex, Device device, ScalarType dtype) : base(nameof(Qwen2Attention))
    {
        this.layerIndex = layerIndex;
        heads = config.NumAttentionHeads;
        kvHeads = config.NumKeyValueHeads;
        headDim = config.HeadDim;
        ropeTheta = config.RopeTheta;
        int kvSize = kvHeads * headDim;
        q_proj = new Projection(config.HiddenSize, config.HiddenSize, hasBias: true, device, dtype);
        k_proj = new Projection(config.HiddenSize, kvSize, hasBias: true, device, dtype);
        v_proj = new Projection(config.HiddenSize, kvSize, hasBias: true, device, dtype);
        o_proj = new Projection(config.HiddenSize, config.HiddenSize, hasBias: false, device, dtype);
        register_module("q_proj", q_proj);
        register_module("k_proj", k_proj);
        register_module("v_proj", v_proj);
        register_module("o_proj", o_proj);
    }

    /// <param name="x">Hidden states [B, T, hidden].</param>
    /// <param name="cos">Rotary table [B, 1, T, headDim].</param>
    /// <param name="sin">Rotary table [B, 1, T, headDim].</param>
    /// <param name="bias">Additive attention bias [B, 1, T, S] (0 = may attend, very negative = may not), or null for
    /// plain causal attention without a mask tensor (no padding before any real token, no cache offset).</param>
    /// <param name="cache">Optional key/value cache; this call's keys and values are written at slots offset..offset+T.</param>
    /// <param name="offset">Cache slot of the first of the T positions.</param>
    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, Tensor? bias, KvCache? cache, int offset)
    {
        using var scope = NewDisposeScope();
        long batch = x.shape[0], time = x.shape[1];
        var q = q_proj.forward(x).view(batch, time, heads, headDim).transpose(1, 2);
        var k = k_proj.forward(x).view(batch, time, kvHeads, headDim).transpose(1, 2);
        var v = v_proj.forward(x).view(batch, time, kvHeads, headDim).transpose(1, 2);
        q = RotaryEmbedding.Apply(q, cos, sin);
        k = RotaryEmbedding.Apply(k, cos, sin);
        if (cache is not null) (k, v) = cache.Write(layerIndex, k, v, offset);
        if (heads != kvHeads)
        {
            // Each key/value head serves heads/kvHeads consecutive query heads.
            k = k.repeat_interleave(heads / kvHeads, dim: 1);
            v = v.repeat_interleave(heads / kvHeads, dim: 1);
        }
        // Without a bias the causal path of scaled-dot-product attention needs no [B, 1, T, S] tensor at all.
        var attended = bias is null
            ? nn.functional.scaled_dot_product_attention(q, k, v, null, 0.0, true)
            : nn.functional.scaled_dot_product_attention(q, k, v, attn_mask: bias);
        var merged = attended.transpose(1, 2).reshape(batch, time, heads * headDim);
        return o_proj.forward(merged).MoveToOuterDisposeScope();
    }
}

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Apo.Model.Qwen2;

/// <summary>
/// Grouped-query self-attention with rotary positions. q/k/v projections carry a bias, o_proj does
/// not (the Qwen2 convention). Where keys and values of earlier positions live is the
/// <see cref="IAttentionBackend"/>'s business; this module itself holds no per-sequence state.
/// </summary>
public sealed class Qwen2Attention : nn.Module
{
    readonly Projection q_proj, k_proj, v_proj, o_proj;
    readonly int layerIndex, heads, kvHeads, headDim;

    public Qwen2Attention(Qwen2Config config, int layerIndex, Device device, ScalarType dtype, bool columnMajor = false) : base(nameof(Qwen2Attention))
    {
        this.layerIndex = layerIndex;
        heads = config.NumAttentionHeads;
        kvHeads = config.NumKeyValueHeads;
        headDim = config.HeadDim;
        int kvSize = kvHeads * headDim;
        q_proj = new Projection(config.HiddenSize, config.HiddenSize, hasBias: true, device, dtype, columnMajor);
        k_proj = new Projection(config.HiddenSize, kvSize, hasBias: true, device, dtype, columnMajor);
        v_proj = new Projection(config.HiddenSize, kvSize, hasBias: true, device, dtype, columnMajor);
        o_proj = new Projection(config.HiddenSize, config.HiddenSize, hasBias: false, device, dtype, columnMajor);
        register_module("q_proj", q_proj);
        register_module("k_proj", k_proj);
        register_module("v_proj", v_proj);
        register_module("o_proj", o_proj);
    }

    /// <param name="x">Hidden states [B, T, hidden].</param>
    /// <param name="cos">Rotary table [B, 1, T, headDim].</param>
    /// <param name="sin">Rotary table [B, 1, T, headDim].</param>
    /// <param name="attention">Stores this call's keys/values and attends (dense, or through a cache).</param>
    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, IAttentionBackend attention)
    {
        using var scope = NewDisposeScope();
        long batch = x.shape[0], time = x.shape[1];
        var q = q_proj.forward(x).view(batch, time, heads, headDim).transpose(1, 2);
        var k = k_proj.forward(x).view(batch, time, kvHeads, headDim).transpose(1, 2);
        var v = v_proj.forward(x).view(batch, time, kvHeads, headDim).transpose(1, 2);
        q = RotaryEmbedding.Apply(q, cos, sin);
        k = RotaryEmbedding.Apply(k, cos, sin);
        var attended = attention.Attend(layerIndex, q, k, v);
        var merged = attended.transpose(1, 2).reshape(batch, time, heads * headDim);
        return o_proj.forward(merged).MoveToOuterDisposeScope();
    }
}

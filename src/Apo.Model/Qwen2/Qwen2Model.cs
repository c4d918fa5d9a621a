using Apo.Model.Inference;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Apo.Model.Qwen2;

/// <summary>The decoder stack: token embedding, the layers, and the final RMSNorm (HF prefix <c>model.</c>).</summary>
public sealed class Qwen2Model : nn.Module
{
    readonly Qwen2Config config;
    readonly TokenEmbedding embed_tokens;
    readonly ModuleList<Qwen2DecoderLayer> layers;
    readonly RmsNorm norm;

    /// <param name="columnMajor">Matrices stored transposed, for inference (see <see cref="Projection"/>).</param>
    public Qwen2Model(Qwen2Config config, Device device, ScalarType dtype, bool columnMajor = false) : base(nameof(Qwen2Model))
    {
        this.config = config;
        embed_tokens = new TokenEmbedding(config.VocabSize, config.HiddenSize, device, dtype, columnMajor);
        layers = nn.ModuleList(Enumerable.Range(0, config.NumHiddenLayers)
            .Select(i => new Qwen2DecoderLayer(config, i, device, dtype, columnMajor)).ToArray());
        norm = new RmsNorm(config.HiddenSize, config.RmsNormEps, device, dtype);
        register_module("embed_tokens", embed_tokens);
        register_module("layers", layers);
        register_module("norm", norm);
    }

    /// <summary>The token embedding (the LM head's matrix too when the embeddings are tied).</summary>
    public TokenEmbedding EmbedTokens => embed_tokens;

    /// <summary>
    /// Recompute each decoder layer during backward instead of keeping its activations (see
    /// <see cref="LayerCheckpoint"/>). Applies only when gradients are being recorded and no cache is used.
    /// </summary>
    public bool ActivationCheckpointing { get; set; }

    /// <summary>
    /// Final hidden states [B, T, hidden] (after the last norm). See <see cref="Qwen2ForCausalLM.forward"/> for the
    /// arguments; a null <paramref name="attentionMask"/> means every row is causal from slot 0 with no padding before
    /// a real token (right padding only), which needs no mask tensor at all.
    /// </summary>
    public Tensor Forward(Tensor inputIds, Tensor positionIds, Tensor? attentionMask, KvCache? cache, int offset)
    {
        using var scope = NewDisposeScope();
        var dtype = embed_tokens.Weight.dtype;
        var bias = attentionMask is null ? null : AttentionBias(attentionMask, inputIds.shape[1], offset, dtype);
        IAttentionBackend attention = cache is null ? new DenseAttention(bias) : new StaticCacheAttention(cache, offset, bias!);
        return Forward(inputIds, positionIds, attention).MoveToOuterDisposeScope();
    }

    /// <summary>Final hidden states [B, T, hidden] with attention done by <paramref name="attention"/> (which owns any cache).</summary>
    public Tensor Forward(Tensor inputIds, Tensor positionIds, IAttentionBackend attention)
    {
        using var scope = NewDisposeScope();
        var h = embed_tokens.forward(inputIds);
        var (cos, sin) = RotaryEmbedding.Tables(positionIds, config.HeadDim, config.RopeTheta, h.dtype);
        bool checkpoint = ActivationCheckpointing && attention is DenseAttention && is_grad_enabled();
        foreach (var layer in layers)
            h = checkpoint ? LayerCheckpoint.Apply(layer, h, cos, sin, ((DenseAttention)attention).Bias) : layer.Forward(h, cos, sin, attention);
        return norm.forward(h).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Additive bias [B, 1, T, S]: query i (cache slot offset+i) may see key slot j when j ≤ offset+i
    /// and key j is a real token. One finite "very negative" value (never −∞ and never a sum of two)
    /// keeps fully masked padding rows finite instead of NaN.
    /// </summary>
    static Tensor AttentionBias(Tensor attentionMask, long time, int offset, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        long keys = attentionMask.shape[1];
        var device = attentionMask.device;
        var queryslots = arange(offset, offset + time, dtype: ScalarType.Int64, device: device).unsqueeze(1); // [T, 1]
        var keySlots = arange(0, keys, dtype: ScalarType.Int64, device: device).unsqueeze(0);                 // [1, S]
        var causal = keySlots.le(queryslots);                                                                  // [T, S]
        var allowed = causal.unsqueeze(0).logical_and(attentionMask.to(ScalarType.Bool).unsqueeze(1));        // [B, T, S]
        var blocked = full(1, 1, 1, 1, finfo(dtype).min, dtype: dtype, device: device);
        var bias = where(allowed, zeros(1, 1, 1, dtype: dtype, device: device), blocked.squeeze(0));
        return bias.unsqueeze(1).MoveToOuterDisposeScope();
    }
}

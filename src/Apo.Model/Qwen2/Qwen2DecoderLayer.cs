using TorchSharp;
using static TorchSharp.torch;

namespace Apo.Model.Qwen2;

/// <summary>One pre-norm transformer block: x + attn(norm(x)), then h + mlp(norm(h)).</summary>
public sealed class Qwen2DecoderLayer : nn.Module
{
    readonly Qwen2Attention self_attn;
    readonly Qwen2Mlp mlp;
    readonly RmsNorm input_layernorm, post_attention_layernorm;

    public Qwen2DecoderLayer(Qwen2Config config, int layerIndex, Device device, ScalarType dtype, bool columnMajor = false) : base(nameof(Qwen2DecoderLayer))
    {
        self_attn = new Qwen2Attention(config, layerIndex, device, dtype, columnMajor);
        mlp = new Qwen2Mlp(config, device, dtype, columnMajor);
        input_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps, device, dtype);
        post_attention_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps, device, dtype);
        register_module("self_attn", self_attn);
        register_module("mlp", mlp);
        register_module("input_layernorm", input_layernorm);
        register_module("post_attention_layernorm", post_attention_layernorm);
    }

    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, IAttentionBackend attention)
    {
        using var scope = NewDisposeScope();
        var h = x + self_attn.Forward(input_layernorm.forward(x), cos, sin, attention);
        var output = h + mlp.forward(post_attention_layernorm.forward(h));
        return output.MoveToOuterDisposeScope();
    }
}

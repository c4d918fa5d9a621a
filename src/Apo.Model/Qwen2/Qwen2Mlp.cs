using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Apo.Model.Qwen2;

/// <summary>SwiGLU feed-forward block: down_proj(silu(gate_proj(x)) ⊙ up_proj(x)), no biases.</summary>
public sealed class Qwen2Mlp : nn.Module<Tensor, Tensor>
{
    readonly Projection gate_proj, up_proj, down_proj;

    public Qwen2Mlp(Qwen2Config config, Device device, ScalarType dtype, bool columnMajor = false) : base(nameof(Qwen2Mlp))
    {
        gate_proj = new Projection(config.HiddenSize, config.IntermediateSize, hasBias: false, device, dtype, columnMajor);
        up_proj = new Projection(config.HiddenSize, config.IntermediateSize, hasBias: false, device, dtype, columnMajor);
        down_proj = new Projection(config.IntermediateSize, config.HiddenSize, hasBias: false, device, dtype, columnMajor);
        register_module("gate_proj", gate_proj);
        register_module("up_proj", up_proj);
        register_module("down_proj", down_proj);
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var gated = nn.functional.silu(gate_proj.forward(x)) * up_proj.forward(x);
        return down_proj.forward(gated).MoveToOuterDisposeScope();
    }
}

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Apo.Model.Qwen2;

/// <summary>
/// Root-mean-square layer norm with a learned per-channel scale (parameter <c>weight</c>).
/// Like transformers, the statistics are computed in float32 and the result is cast back
/// before scaling, so bfloat16 models match the reference.
/// </summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    readonly double eps;
    readonly Parameter weight;

    public RmsNorm(long size, double eps, Device device, ScalarType dtype) : base(nameof(RmsNorm))
    {
        this.eps = eps;
        weight = new Parameter(ones(size, dtype: dtype, device: device));
        register_parameter("weight", weight);
    }

    public Parameter Weight => weight;

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var x32 = x.to(ScalarType.Float32);
        var meanSquare = x32.pow(2).mean([-1L], keepdim: true);
        var normalised = (x32 * (meanSquare + eps).rsqrt()).to(x.dtype);
        return (weight * normalised).MoveToOuterDisposeScope();
    }
}

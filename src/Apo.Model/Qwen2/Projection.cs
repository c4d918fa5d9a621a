using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Apo.Model.Qwen2;

/// <summary>
/// y = x·Wᵀ (+ b): a linear layer whose parameters (<c>weight</c> [out, in], optional <c>bias</c> [out])
/// are created EMPTY. TorchSharp's nn.Linear initialises itself in its constructor, which at the
/// Qwen2.5 shapes costs seconds of random draws that a checkpoint then overwrites; the model
/// initialises explicitly only when it is not loaded from a checkpoint.
/// </summary>
public sealed class Projection : nn.Module<Tensor, Tensor>
{
    readonly Parameter weight;
    readonly Parameter? bias;

    public Projection(long inputSize, long outputSize, bool hasBias, Device device, ScalarType dtype) : base(nameof(Projection))
    {
        weight = new Parameter(empty(outputSize, inputSize, dtype: dtype, device: device));
        register_parameter("weight", weight);
        if (hasBias)
        {
            bias = new Parameter(empty(outputSize, dtype: dtype, device: device));
            register_parameter("bias", bias);
        }
    }

    public Parameter Weight => weight;

    public override Tensor forward(Tensor x) => nn.functional.linear(x, weight, bias);
}

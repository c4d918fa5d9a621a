using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Apo.Model.Qwen2;

/// <summary>
/// y = x·Wᵀ (+ b): a linear layer whose parameters (<c>weight</c> [out, in], optional <c>bias</c> [out])
/// are created EMPTY. TorchSharp's nn.Linear initialises itself in its constructor, which at the
/// Qwen2.5 shapes costs seconds of random draws that a checkpoint then overwrites; the model
/// initialises explicitly only when it is not loaded from a checkpoint.
/// With <c>columnMajor</c> the [out, in] weight is a transposed view of contiguous [in, out] storage:
/// same values, names and shapes, but x·Wᵀ becomes a plain x·M product, the layout this CPU's BLAS
/// streams fastest in a decode step's matrix-vector products (a 0.5B decode step 1.2× faster at batch 1).
/// </summary>
public sealed class Projection : nn.Module<Tensor, Tensor>
{
    readonly Parameter weight;
    readonly Parameter? bias;

    public Projection(long inputSize, long outputSize, bool hasBias, Device device, ScalarType dtype, bool columnMajor = false) : base(nameof(Projection))
    {
        weight = new Parameter(Matrix(outputSize, inputSize, device, dtype, columnMajor));
        register_parameter("weight", weight);
        if (hasBias)
        {
            bias = new Parameter(empty(outputSize, dtype: dtype, device: device));
            register_parameter("bias", bias);
        }
    }

    public Parameter Weight => weight;

    /// <summary>An empty [rows, columns] matrix, row-major or as the transposed view of a contiguous [columns, rows] one.</summary>
    internal static Tensor Matrix(long rows, long columns, Device device, ScalarType dtype, bool columnMajor)
    {
        if (!columnMajor) return empty(rows, columns, dtype: dtype, device: device);
        using var storage = empty(columns, rows, dtype: dtype, device: device);
        return storage.t();
    }

    public override Tensor forward(Tensor x) => nn.functional.linear(x, weight, bias);
}

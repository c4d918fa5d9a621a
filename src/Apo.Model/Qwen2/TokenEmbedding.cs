using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Apo.Model.Qwen2;

/// <summary>
/// The token embedding table (<c>weight</c> [vocab, hidden]), created empty like <see cref="Projection"/>.
/// <see cref="Weight"/> is the one registered Parameter: a tied LM head multiplies by this very object.
/// </summary>
public sealed class TokenEmbedding : nn.Module<Tensor, Tensor>
{
    readonly Parameter weight;

    /// <param name="columnMajor">Store the table transposed (see <see cref="Projection"/>): the tied LM head's product gets the fast layout; a lookup gathers strided rows, which is cheap for the few tokens of a decode step.</param>
    public TokenEmbedding(long vocabSize, long hiddenSize, Device device, ScalarType dtype, bool columnMajor = false) : base(nameof(TokenEmbedding))
    {
        weight = new Parameter(Projection.Matrix(vocabSize, hiddenSize, device, dtype, columnMajor));
        register_parameter("weight", weight);
    }

    public Parameter Weight => weight;

    /// <summary>Rows of the table for ids of any shape: [..., hidden].</summary>
    public override Tensor forward(Tensor ids)
    {
        using var scope = NewDisposeScope();
        // A transposed table is gathered as columns of its contiguous storage (index_select on the
        // non-contiguous view would first copy the whole table), then made row-major: elementwise ops
        // keep their input's strides, so a transposed embedding would make the whole residual stream,
        // and every product on it, transposed (3x slower at 32 rows).
        var flat = weight.is_contiguous() ? weight.index_select(0, ids.reshape(-1)) : weight.t().index_select(1, ids.reshape(-1)).t().contiguous();
        var shape = ids.shape.Append(weight.shape[1]).ToArray();
        return flat.view(shape).MoveToOuterDisposeScope();
    }
}

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

    public TokenEmbedding(long vocabSize, long hiddenSize, Device device, ScalarType dtype) : base(nameof(TokenEmbedding))
    {
        weight = new Parameter(empty(vocabSize, hiddenSize, dtype: dtype, device: device));
        register_parameter("weight", weight);
    }

    public Parameter Weight => weight;

    /// <summary>Rows of the table for ids of any shape: [..., hidden].</summary>
    public override Tensor forward(Tensor ids)
    {
        using var scope = NewDisposeScope();
        var flat = weight.index_select(0, ids.reshape(-1));
        var shape = ids.shape.Append(weight.shape[1]).ToArray();
        return flat.view(shape).MoveToOuterDisposeScope();
    }
}

using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace Apo.Model.Qwen2;

/// <summary>
/// Activation checkpointing of one decoder layer (the reentrant form of <c>torch.utils.checkpoint</c>):
/// the forward pass runs without building a graph and keeps only the layer's input; the backward pass
/// runs the layer again with gradients on and back-propagates through that fresh graph. Memory per
/// layer drops from every intermediate (attention, the SwiGLU hidden, norms) to the [B, T, hidden]
/// input, at the cost of one more forward per layer. The layer is deterministic (no dropout), so the
/// recomputation reproduces the first pass exactly and the gradients equal the plain ones.
/// </summary>
sealed class LayerCheckpoint : SingleTensorFunction<LayerCheckpoint>
{
    public override string Name => "Qwen2DecoderLayerCheckpoint";

    /// <summary>The layer's output, with a graph that recomputes the layer during backward.</summary>
    public static Tensor Apply(Qwen2DecoderLayer layer, Tensor x, Tensor cos, Tensor sin, Tensor? bias) =>
        apply(x, cos, sin, bias!, layer);

    public override Tensor forward(AutogradContext ctx, params object[] vars)
    {
        var (x, cos, sin, bias, layer) = Unpack(vars);
        ctx.save_for_backward(bias is null ? [x, cos, sin] : [x, cos, sin, bias]);
        ctx.save_data("layer", layer);
        return layer.Forward(x, cos, sin, new DenseAttention(bias));
    }

    public override List<Tensor> backward(AutogradContext ctx, Tensor gradOutput)
    {
        var layer = (Qwen2DecoderLayer)ctx.get_data("layer");
        Tensor gradInput;
        using (var scope = NewDisposeScope())
        using (enable_grad())
        {
            var saved = ctx.get_saved_variables();
            var x = saved[0].detach().requires_grad_(true);
            var y = layer.Forward(x, saved[1], saved[2], new DenseAttention(saved.Count > 3 ? saved[3] : null));
            // Parameter gradients accumulate into .grad of the layer's weights, as in the plain pass.
            y.backward([gradOutput]);
            gradInput = x.grad!.MoveToOuterDisposeScope();
        }
        // One entry per argument of apply: x, cos, sin, bias (no gradient), layer (not a tensor).
        return [gradInput, null!, null!, null!, null!];
    }

    static (Tensor X, Tensor Cos, Tensor Sin, Tensor? Bias, Qwen2DecoderLayer Layer) Unpack(object[] vars) =>
        ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2], vars[3] as Tensor, (Qwen2DecoderLayer)vars[4]);
}

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Apo.Algorithm.Optimization;

/// <summary>
/// Mixed precision for half-precision models (bfloat16, float16): every such parameter gets a float32
/// master copy that the optimizer updates, and the model's weights are the master rounded after each step.
/// Without it an AdamW update at lr 1e-6 is far below half a bf16 ulp of a typical weight (≈6e-5 at
/// |w| = 0.02) and rounds back to the same value, so the model silently never moves. Gradients are
/// summed over micro-batches in float32 on the masters too. float32 and float64 parameters are their
/// own masters: nothing is copied and training is exactly as without this class.
/// </summary>
internal sealed class MasterWeights : IDisposable
{
    private readonly Parameter[] _model;
    private readonly Parameter[] _masters;

    public MasterWeights(IReadOnlyList<Parameter> modelParameters)
    {
        _model = modelParameters.ToArray();
        _masters = new Parameter[_model.Length];
        using var noGrad = torch.no_grad();
        for (var i = 0; i < _model.Length; i++)
            _masters[i] = IsHalf(_model[i]) ? new Parameter(_model[i].detach().to_type(ScalarType.Float32), requires_grad: true) : _model[i];
    }

    /// <summary>What the optimizer updates, in the model parameters' order.</summary>
    public IReadOnlyList<Parameter> Masters => _masters;

    /// <summary>Indices of the parameters that have a separate float32 master.</summary>
    public IEnumerable<int> Separate => Enumerable.Range(0, _model.Length).Where(i => !ReferenceEquals(_masters[i], _model[i]));

    public bool Any => Separate.Any();

    /// <summary>
    /// Moves the gradients a backward pass left on half-precision parameters into their masters' float32
    /// gradients (adding to what earlier micro-batches left there) and frees the half-precision ones.
    /// </summary>
    public void AccumulateGradients()
    {
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        foreach (var i in Separate)
        {
            var half = _model[i].grad;
            if (half is null) continue;
            var master = _masters[i].grad;
            if (master is null) _masters[i].grad = half.to_type(ScalarType.Float32);
            else master.add_(half);
            _model[i].grad = null;
        }
    }

    /// <summary>Zeroes the masters' gradients and frees the half-precision ones.</summary>
    public void ZeroHalfGradients()
    {
        using var scope = NewDisposeScope();
        foreach (var i in Separate) _model[i].grad = null;
    }

    /// <summary>The model's weights become the masters rounded to the model dtype (round to nearest even).</summary>
    public void CopyToModel()
    {
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        foreach (var i in Separate) _model[i].copy_(_masters[i]);
    }

    private static bool IsHalf(Tensor t) => t.dtype is ScalarType.BFloat16 or ScalarType.Float16;

    public void Dispose()
    {
        foreach (var i in Separate) _masters[i].Dispose();
    }
}

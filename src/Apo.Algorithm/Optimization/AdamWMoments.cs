using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Apo.Algorithm.Optimization;

/// <summary>
/// AdamW (decoupled weight decay, PyTorch's update rule and order of operations) over float32/float64 parameters:
/// p ← p·(1 − lr·wd); m ← β1·m + (1 − β1)·g; v ← β2·v + (1 − β2)·g²; p ← p − lr/(1 − β1ᵗ) · m / (√v/√(1 − β2ᵗ) + ε).
/// Ours rather than TorchSharp's because of memory: TorchSharp's step keeps every parameter's temporaries
/// (√v and its quotient) in one dispose scope until the whole step ends — two extra copies of the model —
/// where this one frees them parameter by parameter and computes the denominator in place (one temporary).
/// The moments are plain tensors, so the state file writes them in pieces of any size.
/// </summary>
internal sealed class AdamWMoments : IDisposable
{
    private readonly Parameter[] _parameters;

    public AdamWMoments(IReadOnlyList<Parameter> parameters)
    {
        _parameters = parameters.ToArray();
        ExpAvg = new Tensor[_parameters.Length];
        ExpAvgSq = new Tensor[_parameters.Length];
        Steps = new long[_parameters.Length];
        using var noGrad = torch.no_grad();
        for (var i = 0; i < _parameters.Length; i++)
        {
            ExpAvg[i] = torch.zeros_like(_parameters[i]).DetachFromDisposeScope();
            ExpAvgSq[i] = torch.zeros_like(_parameters[i]).DetachFromDisposeScope();
        }
    }

    /// <summary>First moments, one per parameter.</summary>
    public Tensor[] ExpAvg { get; }
    /// <summary>Second moments, one per parameter.</summary>
    public Tensor[] ExpAvgSq { get; }
    /// <summary>Updates each parameter has had (a parameter without a gradient in a step is skipped, as in PyTorch).</summary>
    public long[] Steps { get; }

    public void Step(OptimizerSettings s)
    {
        using var noGrad = torch.no_grad();
        for (var i = 0; i < _parameters.Length; i++)
        {
            using var scope = NewDisposeScope();
            var p = _parameters[i];
            var grad = p.grad;
            if (grad is null) continue;
            Steps[i]++;
            p.mul_(1 - s.LearningRate * s.WeightDecay);
            double biasCorrection1 = 1 - Math.Pow(s.Beta1, Steps[i]);
            double biasCorrection2 = 1 - Math.Pow(s.Beta2, Steps[i]);
            ExpAvg[i].mul_(s.Beta1).add_(grad, alpha: 1 - s.Beta1);
            ExpAvgSq[i].mul_(s.Beta2).addcmul_(grad, grad, value: 1 - s.Beta2);
            var denominator = ExpAvgSq[i].sqrt().div_(Math.Sqrt(biasCorrection2)).add_(s.Eps);
            p.addcdiv_(ExpAvg[i], denominator, value: -(s.LearningRate / biasCorrection1));
        }
    }

    public void Dispose()
    {
        foreach (var t in ExpAvg) t.Dispose();
        foreach (var t in ExpAvgSq) t.Dispose();
    }
}

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Apo.Algorithm.Optimization;

/// <summary>Clipping of the total gradient norm over all parameters (torch.nn.utils.clip_grad_norm_).</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales every gradient by min(1, maxNorm / (‖g‖ + 1e-6)), where ‖g‖ is the L2 norm of all
    /// gradients concatenated (one factor for all parameters, not one per parameter).
    /// </summary>
    /// <returns>‖g‖ before clipping (0 when no parameter has a gradient).</returns>
    public static double ClipTotalNorm(IEnumerable<Parameter> parameters, double maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        var grads = parameters.Select(p => p.grad).Where(g => g is not null).Select(g => g!).ToArray();
        if (grads.Length == 0) return 0.0;

        // Accumulate in float64 so a large model's norm does not lose digits in float32.
        var squares = grads.Select(g => g.to_type(ScalarType.Float64).square().sum()).ToArray();
        var norm = Math.Sqrt(torch.stack(squares).sum().ToDouble());
        if (double.IsFinite(norm) && norm > maxNorm)
        {
            var factor = maxNorm / (norm + 1e-6);
            foreach (var g in grads) g.mul_(factor);
        }
        return norm;
    }
}

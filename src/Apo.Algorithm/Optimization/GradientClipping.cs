using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Apo.Algorithm.Optimization;

/// <summary>Clipping of the total gradient norm over all parameters (torch.nn.utils.clip_grad_norm_).</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales every gradient by min(1, maxNorm / (‖g‖ + 1e-6)), where ‖g‖ is the L2 norm of all
    /// gradients concatenated (one factor for all parameters, not one per parameter). Gradients
    /// may mix dtypes (e.g. float32 and float64).
    /// </summary>
    /// <returns>‖g‖ before clipping (0 when no parameter has a gradient); a non-finite ‖g‖ is returned as is and nothing is scaled.</returns>
    public static double ClipTotalNorm(IEnumerable<Parameter> parameters, double maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        var grads = parameters.Select(p => p.grad).Where(g => g is not null).Select(g => g!).ToArray();
        if (grads.Length == 0) return 0.0;

        // As clip_grad_norm_ does: one L2 norm per gradient in the gradient's own dtype, a reduction
        // with no full-size temporary (a float64 copy and its square cost gigabytes at 0.5B
        // parameters). Only these scalars are widened to float64 and combined as √Σ‖g_i‖², so many
        // tensors do not lose digits. A reduced-precision gradient (bfloat16, float16) thus gets a
        // norm of that precision, as in torch. The scalars stay on the first gradient's device,
        // so the one host sync is ToDouble below, not one per parameter.
        var device = grads[0].device;
        var norms = grads.Select(g => linalg.vector_norm(g, 2).to(ScalarType.Float64, device));
        var norm = Math.Sqrt(stack(norms).square().sum().ToDouble());
        if (double.IsFinite(norm) && norm > maxNorm)
        {
            var factor = maxNorm / (norm + 1e-6);
            foreach (var g in grads) g.mul_(factor);
        }
        return norm;
    }
}

namespace Apo.Algorithm.Optimization;

/// <summary>What one optimizer step saw.</summary>
/// <param name="Loss">The mini-batch loss (sum of the micro-batch losses) before the update.</param>
/// <param name="GradientNorm">Total L2 norm of all gradients BEFORE clipping.</param>
/// <param name="StepCount">Optimizer steps taken so far, this one included.</param>
public readonly record struct StepResult(double Loss, double GradientNorm, long StepCount)
{
    /// <summary>True when the gradients were scaled down by the clip.</summary>
    public bool WasClipped(double clipGradNorm) => GradientNorm > clipGradNorm;
}

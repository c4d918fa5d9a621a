namespace Apo.Algorithm.Optimization;

/// <summary>
/// Stage-2 optimiser settings: AdamW with decoupled weight decay, total-norm gradient clipping and a
/// constant learning rate. Defaults are the paper's except the learning rate, which has no
/// sensible universal default (paper: 1e-6 for Qwen2.5 1.5B–7B; a tiny CPU model needs far more).
/// </summary>
/// <param name="LearningRate">Constant learning rate (&gt; 0).</param>
/// <param name="WeightDecay">Decoupled (AdamW) weight decay, applied to every parameter.</param>
/// <param name="ClipGradNorm">Maximum total L2 norm of all gradients; +∞ switches clipping off.</param>
/// <param name="Beta1">Adam β1 (first-moment decay). Not the A*-PO β1.</param>
/// <param name="Beta2">Adam β2 (second-moment decay). Not the A*-PO β2.</param>
/// <param name="Eps">Adam ε.</param>
/// <param name="MiniBatches">Optimizer steps per batch (paper: 256 prompts in 2 mini-batches of 128).</param>
/// <param name="EntropyCoefficient">
/// A*-PO entropy bonus weight (default 0; the authors' code used 0.001, see AStarPoLoss.AuthorsEntropyCoefficient).
/// </param>
public sealed record OptimizerSettings(
    double LearningRate,
    double WeightDecay = 0.01,
    double ClipGradNorm = 1.0,
    double Beta1 = 0.9,
    double Beta2 = 0.999,
    double Eps = 1e-8,
    int MiniBatches = 2,
    double EntropyCoefficient = 0)
{
    /// <summary>The paper's settings for real checkpoints: lr 1e-6 and the defaults above.</summary>
    public static OptimizerSettings Paper { get; } = new(LearningRate: 1e-6);

    /// <summary>Throws an ArgumentOutOfRangeException naming the first setting that is out of range.</summary>
    public void Validate()
    {
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "the learning rate must be a positive finite number.");
        if (!(WeightDecay >= 0) || !double.IsFinite(WeightDecay))
            throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "weight decay must be ≥ 0.");
        if (!(ClipGradNorm > 0))
            throw new ArgumentOutOfRangeException(nameof(ClipGradNorm), ClipGradNorm, "the gradient-norm clip must be > 0 (+∞ switches it off).");
        if (!(Beta1 >= 0 && Beta1 < 1))
            throw new ArgumentOutOfRangeException(nameof(Beta1), Beta1, "Adam β1 must be in [0, 1).");
        if (!(Beta2 >= 0 && Beta2 < 1))
            throw new ArgumentOutOfRangeException(nameof(Beta2), Beta2, "Adam β2 must be in [0, 1).");
        if (!(Eps >= 0) || !double.IsFinite(Eps))
            throw new ArgumentOutOfRangeException(nameof(Eps), Eps, "Adam ε must be ≥ 0.");
        if (MiniBatches < 1)
            throw new ArgumentOutOfRangeException(nameof(MiniBatches), MiniBatches, "there must be at least one mini-batch per batch.");
        if (!(EntropyCoefficient >= 0) || !double.IsFinite(EntropyCoefficient))
            throw new ArgumentOutOfRangeException(nameof(EntropyCoefficient), EntropyCoefficient, "the entropy coefficient must be ≥ 0.");
    }
}

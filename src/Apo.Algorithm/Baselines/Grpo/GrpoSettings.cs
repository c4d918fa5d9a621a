namespace Apo.Algorithm.Baselines.Grpo;

/// <summary>GRPO baseline hyperparameters; defaults are the paper's (App. A.5) on verl's conventions.</summary>
/// <param name="ResponsesPerPrompt">Group size (paper: 2).</param>
/// <param name="ClipEpsilon">PPO ratio clip ε.</param>
/// <param name="DualClip">verl's dual-clip constant for negative advantages; null switches it off.</param>
/// <param name="KlCoefficient">Weight of the k3 KL loss to π_ref.</param>
/// <param name="EntropyCoefficient">Weight of the token-mean entropy bonus.</param>
/// <param name="AdvantageEpsilon">ε in (r − mean)/(std + ε).</param>
public sealed record GrpoSettings(
    int ResponsesPerPrompt = 2,
    double ClipEpsilon = 0.2,
    double? DualClip = ClippedSurrogate.DefaultDualClip,
    double KlCoefficient = 1e-3,
    double EntropyCoefficient = 1e-4,
    double AdvantageEpsilon = GroupAdvantages.DefaultEpsilon);

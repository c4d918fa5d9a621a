namespace Apo.Algorithm.Baselines.Ppo;

/// <summary>PPO baseline hyperparameters; defaults are the paper's (App. A.5) on verl's conventions.</summary>
/// <param name="ClipEpsilon">Ratio clip ε.</param>
/// <param name="DualClip">verl's dual-clip constant for negative advantages; null switches it off.</param>
/// <param name="Gamma">GAE γ.</param>
/// <param name="Lambda">GAE λ.</param>
/// <param name="KlInRewardCoefficient">Per-token −coef·(logπ_old − logπ_ref) added to the rewards.</param>
/// <param name="EntropyCoefficient">Weight of the token-mean entropy bonus in the actor loss.</param>
/// <param name="ValueClipRange">Clip range of the critic's clipped value loss.</param>
/// <param name="WhitenAdvantages">Whiten GAE advantages over the batch (verl does).</param>
/// <param name="CriticLearningRateMultiplier">Critic lr = this × policy lr (paper: 10).</param>
public sealed record PpoSettings(
    double ClipEpsilon = 0.2,
    double? DualClip = ClippedSurrogate.DefaultDualClip,
    double Gamma = 1.0,
    double Lambda = 1.0,
    double KlInRewardCoefficient = 1e-3,
    double EntropyCoefficient = 1e-4,
    double ValueClipRange = ValueLoss.DefaultClipRange,
    bool WhitenAdvantages = true,
    double CriticLearningRateMultiplier = 10.0);

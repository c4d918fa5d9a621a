using Apo.Abstractions.Weights;

namespace Apo.Abstractions.Generation;

/// <summary>
/// One model replica on a generator silo (placed only where the generator role is declared),
/// running batched sampling. Keyed by replica number.
/// </summary>
[Alias("apo.IGeneratorGrain")]
public interface IGeneratorGrain : IGrainWithIntegerKey
{
    /// <summary>Samples a batch (loading <see cref="GenerationRequest.Weights"/> first if needed).</summary>
    [Alias("Generate"), ResponseTimeout("00:30:00")]
    Task<GenerationResult> Generate(GenerationRequest request);

    /// <summary>Runs one stage-1 slice end to end (sample, score, record in PromptGrains).</summary>
    [Alias("RunStageOne"), ResponseTimeout("00:30:00")]
    Task<StageOneWorkResult> RunStageOne(StageOneWorkUnit work);

    /// <summary>Samples, scores and publishes stage-2 rollouts on the run's stream; answers how many were published.</summary>
    [Alias("PublishRollouts"), ResponseTimeout("00:30:00")]
    Task<int> PublishRollouts(RolloutRequest request);

    /// <summary>The weight version currently loaded, or null before the first load.</summary>
    [Alias("GetLoadedWeights")]
    Task<WeightVersion?> GetLoadedWeights();
}

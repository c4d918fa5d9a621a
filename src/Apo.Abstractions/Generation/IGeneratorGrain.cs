using System.Collections.Immutable;
using Apo.Abstractions.Training;
using Apo.Abstractions.Weights;

namespace Apo.Abstractions.Generation;

/// <summary>
/// One model replica on a generator silo, running batched sampling. The generator pool keys each by
/// its silo's address (<c>SiloAddress.ToParsableString()</c>) and <see cref="Placement.SiloBoundAttribute"/>
/// activates it there, so every generator silo holds exactly one; a key that is not a silo address
/// (e.g. "0" in a test or a tool) lands on any generator silo. Calls take a cancellation token: the pool
/// cancels a call it has given up on (timed out, its run stopped) and hands the work to another silo.
/// </summary>
[Alias("apo.IGeneratorGrain")]
public interface IGeneratorGrain : IGrainWithStringKey
{
    /// <summary>Samples a batch (loading <see cref="GenerationRequest.Weights"/> first if needed).</summary>
    [Alias("Generate"), ResponseTimeout("00:30:00")]
    Task<GenerationResult> Generate(GenerationRequest request);

    /// <summary>Runs one stage-1 work unit end to end (sample, score, record in PromptGrains).</summary>
    [Alias("RunStageOne"), ResponseTimeout("00:30:00")]
    Task<StageOneWorkResult> RunStageOne(StageOneWorkUnit work, CancellationToken cancellation = default);

    /// <summary>
    /// Samples and scores one chunk of a stage-2 batch and answers its rollouts (prompt order, then sample
    /// index). They travel in the response, never through a queue, so a rollout of any length fits
    /// (Orleans' message limit is 100 MB; an Azure queue message is 64 KB, about 4k tokens).
    /// </summary>
    [Alias("SampleRollouts"), ResponseTimeout("00:30:00")]
    Task<ImmutableArray<Rollout>> SampleRollouts(RolloutRequest request, CancellationToken cancellation = default);

    /// <summary>The weight version currently loaded, or null before the first load.</summary>
    [Alias("GetLoadedWeights")]
    Task<WeightVersion?> GetLoadedWeights();
}

using System.Collections.Immutable;
using Apo.Abstractions.Generation;
using Apo.Abstractions.Training;
using Apo.Abstractions.Weights;

namespace Apo.Abstractions.Runs;

/// <summary>
/// A whole run: stage 1 → stage 2 → evaluation. Prompt ids only (the PromptGrains hold the
/// prompts); about 30 B per id, so even 10⁶ prompts stay far below Orleans' message limit.
/// </summary>
/// <param name="RunId">Run key.</param>
/// <param name="Reference">Reference checkpoint.</param>
/// <param name="TrainPromptIds">Training prompts (PromptGrains initialized by the caller).</param>
/// <param name="EvalPromptIds">Held-out prompts for evaluation.</param>
/// <param name="StageOne">Stage-1 settings.</param>
/// <param name="StageTwo">Stage-2 settings.</param>
/// <param name="OutputDirectory">Where the run writes checkpoints, weights and reports.</param>
[GenerateSerializer, Immutable, Alias("apo.RunSpec")]
public sealed record RunSpec(
    [property: Id(0)] string RunId,
    [property: Id(1)] ReferenceModel Reference,
    [property: Id(2)] ImmutableArray<string> TrainPromptIds,
    [property: Id(3)] ImmutableArray<string> EvalPromptIds,
    [property: Id(4)] StageOneSettings StageOne,
    [property: Id(5)] StageTwoSettings StageTwo,
    [property: Id(6)] string OutputDirectory)
{
    /// <summary>The batch shape of every sampling call of the run (stage 1, stage 2, held-out checks), wherever it runs.</summary>
    [Id(7)] public GenerationEngine? Engine { get; init; }
}

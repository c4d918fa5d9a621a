using Apo.Abstractions.Training;
using Apo.Abstractions.Weights;

namespace Apo.Grains.Training;

/// <summary>
/// The durable state of one TrainerGrain: the accepted plan and the last recorded progress. The
/// checkpoint on disk, not this record, is what training resumes from (it holds the weights).
/// </summary>
[GenerateSerializer, Alias("apo.TrainerState")]
public sealed class TrainerState
{
    /// <summary>The plan accepted by the first Start, or null before it.</summary>
    [Id(0)] public StageTwoPlan? Plan { get; set; }

    /// <summary><see cref="PlanHash"/> of <see cref="Plan"/> (records holding arrays do not compare by value).</summary>
    [Id(1)] public string? PlanHash { get; set; }

    [Id(2)] public TrainerPhase Phase { get; set; }

    /// <summary>Completed iterations.</summary>
    [Id(3)] public long Iteration { get; set; }

    /// <summary>The latest published weights, or null before the first publication.</summary>
    [Id(4)] public WeightVersion? Weights { get; set; }

    [Id(5)] public long RolloutsConsumed { get; set; }

    [Id(6)] public double? LastLoss { get; set; }

    [Id(7)] public string? Error { get; set; }

    /// <summary>
    /// The incarnation of the trainer: one more each time a loop starts (a start, a resume in a new activation).
    /// Written through grain storage, whose ETag check refuses a stale writer, and stamped on the run directory
    /// (<see cref="TrainerFence"/>), every rollout request and rollout, and every weight version.
    /// </summary>
    [Id(8)] public long Epoch { get; set; }
}

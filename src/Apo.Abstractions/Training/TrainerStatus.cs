namespace Apo.Abstractions.Training;

/// <summary>A trainer's progress.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Phase">Idle, training, finished, stopped or failed.</param>
/// <param name="Iteration">Completed iterations.</param>
/// <param name="WeightVersion">Latest published weight version.</param>
/// <param name="RolloutsConsumed">Rollouts taken from the stream so far.</param>
/// <param name="LastLoss">Mean loss of the last iteration, or null before the first.</param>
/// <param name="Error">Failure message when <see cref="Phase"/> is Failed.</param>
[GenerateSerializer, Immutable, Alias("apo.TrainerStatus")]
public sealed record TrainerStatus(
    [property: Id(0)] string RunId,
    [property: Id(1)] TrainerPhase Phase,
    [property: Id(2)] long Iteration,
    [property: Id(3)] long WeightVersion,
    [property: Id(4)] long RolloutsConsumed,
    [property: Id(5)] double? LastLoss,
    [property: Id(6)] string? Error);

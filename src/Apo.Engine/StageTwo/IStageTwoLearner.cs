namespace Apo.Engine.StageTwo;

/// <summary>
/// A stage-2 learner: owns the optimizer state (and, for PPO, the critic) that updates one policy
/// from batches of on-policy rollouts. Synchronous tensor work: call every member on the device's thread.
/// </summary>
public interface IStageTwoLearner : IDisposable
{
    Apo.Algorithm.StageTwoAlgorithm Algorithm { get; }

    /// <summary>Rollouts per prompt an <see cref="Update"/> batch must hold.</summary>
    int ResponsesPerPrompt { get; }

    /// <summary>Optimizer steps of the policy taken so far, restored ones included.</summary>
    long OptimizerSteps { get; }

    /// <summary>
    /// One batch update. The batch lists each prompt's <see cref="ResponsesPerPrompt"/> rollouts
    /// next to each other (prompt order, then sample index); mini-batches never split a prompt's group.
    /// <paramref name="reference"/> holds the batch's reference log-probs when they were scored beforehand
    /// (<see cref="ReferenceScores.Of"/>, same reference and token budget); null scores them here.
    /// </summary>
    UpdateMetrics Update(IReadOnlyList<TrainingRollout> batch, ReferenceScores? reference = null);

    /// <summary>Writes everything but the policy weights (optimizer states, critic) into <paramref name="directory"/>, each file atomically.</summary>
    void SaveState(string directory);

    /// <summary>Restores <see cref="SaveState"/>'s files, so training continues bit for bit.</summary>
    void LoadState(string directory);
}

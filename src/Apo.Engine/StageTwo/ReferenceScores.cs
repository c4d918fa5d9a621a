using Apo.Model.Inference;
using Apo.Model.Qwen2;

namespace Apo.Engine.StageTwo;

/// <summary>
/// The frozen reference's log-probs of a batch's responses, per token and summed. They depend on the rollouts
/// alone, never on the policy, so they can be scored before the update and elsewhere: asynchronous stage 2 scores
/// them on the generation lane while the training lane updates on the previous batch.
/// </summary>
public sealed record ReferenceScores(float[][] TokenLogProbs, double[] Sums)
{
    /// <summary>Scores <paramref name="batch"/> under <paramref name="reference"/> in passes of at most <paramref name="maxTokensPerMicroBatch"/> padded tokens.</summary>
    public static ReferenceScores Of(Qwen2ForCausalLM reference, IReadOnlyList<TrainingRollout> batch, int maxTokensPerMicroBatch)
    {
        var scores = Scorer.Score(reference, batch.Select(r => r.PromptIds).ToArray(), batch.Select(r => r.ResponseIds).ToArray(), maxTokensPerMicroBatch);
        return new ReferenceScores(scores.Select(s => s.TokenLogProbs).ToArray(), scores.Select(s => s.Sum).ToArray());
    }
}

using Apo.Model.Qwen2;
using static TorchSharp.torch;

namespace Apo.Model.Inference;

/// <summary>
/// Differentiable log-probs of given responses (temperature 1). Columns are response positions:
/// column t of row b is response token t of sequence b; padding columns have Mask 0 and value 0.
/// Owns its tensors (also registered with the caller's dispose scope, if any).
/// </summary>
public sealed class TeacherForcingOutput : IDisposable
{
    internal TeacherForcingOutput(Tensor tokenLogProbs, Tensor mask, Tensor? tokenEntropy, Tensor sequenceLogProbs)
    {
        TokenLogProbs = tokenLogProbs;
        Mask = mask;
        tokenEntropyOrNull = tokenEntropy;
        SequenceLogProbs = sequenceLogProbs;
    }

    readonly Tensor? tokenEntropyOrNull;

    /// <summary>[B, R] float32 log π(y_t | x, y_&lt;t), 0 on padding.</summary>
    public Tensor TokenLogProbs { get; }
    /// <summary>[B, R] float32, 1 on real response tokens.</summary>
    public Tensor Mask { get; }
    /// <summary>[B, R] float32 entropy of the next-token distribution at each response position, 0 on padding.</summary>
    public Tensor TokenEntropy => tokenEntropyOrNull ?? throw new InvalidOperationException("entropy was not requested");
    /// <summary>[B] float32 log π(y | x): the masked sum of <see cref="TokenLogProbs"/>.</summary>
    public Tensor SequenceLogProbs { get; }

    public void Dispose()
    {
        TokenLogProbs.Dispose();
        Mask.Dispose();
        tokenEntropyOrNull?.Dispose();
        SequenceLogProbs.Dispose();
    }
}

/// <summary>Teacher-forced forward pass over (prompt, response) pairs, gradients flowing to the model.</summary>
public static class TeacherForcing
{
    /// <summary>Scores every response token given its prompt and the response tokens before it.</summary>
    public static TeacherForcingOutput Forward(Qwen2ForCausalLM model, IReadOnlyList<int[]> prompts, IReadOnlyList<int[]> responses) =>
        Forward(model, prompts, responses, withEntropy: true);

    internal static TeacherForcingOutput Forward(Qwen2ForCausalLM model, IReadOnlyList<int[]> prompts, IReadOnlyList<int[]> responses, bool withEntropy)
    {
        using var scope = NewDisposeScope();
        using var batch = PaddedBatch.Create(prompts, responses, model.Config.VocabSize, model.Device);
        int promptWidth = batch.PromptWidth, responseWidth = batch.ResponseWidth;
        var hidden = model.ForwardHidden(batch.InputIds, batch.PositionIds, batch.AttentionMask);
        // Position P-1+t predicts response token t: project only those R positions through the head.
        var logp = model.Logits(hidden.narrow(1, promptWidth - 1, responseWidth)).to(ScalarType.Float32).log_softmax(-1);
        var targets = batch.InputIds.narrow(1, promptWidth, responseWidth).unsqueeze(-1);
        var mask = batch.ResponseMask.clone();
        var tokenLogProbs = logp.gather(-1, targets).squeeze(-1) * mask;
        Tensor? entropy = withEntropy ? (logp.exp() * logp).sum(-1).neg() * mask : null;
        var sequenceLogProbs = tokenLogProbs.sum(1);
        var output = new TeacherForcingOutput(tokenLogProbs.MoveToOuterDisposeScope(), mask.MoveToOuterDisposeScope(),
            entropy?.MoveToOuterDisposeScope(), sequenceLogProbs.MoveToOuterDisposeScope());
        return output;
    }
}

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
    /// <summary><see cref="TokenEntropy"/> when it was requested, else null.</summary>
    public Tensor? TokenEntropyIfComputed => tokenEntropyOrNull;
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

/// <summary>
/// Teacher-forced forward pass over (prompt, response) pairs, gradients flowing to the model. Memory is
/// linear in the response tokens: the rows are laid out by <see cref="TeacherForcingBatch"/> (no attention
/// mask), only response-predicting positions reach the LM head, and log-probs come from
/// <see cref="ChunkedLogProbs"/>, so no [B, R, vocab] tensor exists in the forward or the backward pass.
/// Run backward() inside a dispose scope (PolicyOptimizer does, one per micro-batch): the gradients the custom
/// autograd functions hand to the engine belong to the scope current when backward runs.
/// </summary>
public static class TeacherForcing
{
    /// <summary>
    /// Scores every response token given its prompt and the response tokens before it; the per-token entropy
    /// too when <paramref name="withEntropy"/> (it costs a pass over the vocabulary, so ask only when its weight is above 0).
    /// </summary>
    public static TeacherForcingOutput Forward(Qwen2ForCausalLM model, IReadOnlyList<int[]> prompts, IReadOnlyList<int[]> responses, bool withEntropy = false)
    {
        using var scope = NewDisposeScope();
        using var batch = TeacherForcingBatch.Create(prompts, responses, model.Config.VocabSize, model.Device);
        var hidden = model.ForwardHidden(batch.InputIds, batch.PositionIds, attentionMask: null);
        var (logProbs, entropy) = ChunkedLogProbs.Compute(batch.Predicting(hidden), model.LmHeadWeight, batch.Targets, withEntropy);
        var tokenLogProbs = batch.ToRows(logProbs);
        var tokenEntropy = entropy is null ? null : batch.ToRows(entropy);
        var mask = batch.ResponseMask.clone();
        var sequenceLogProbs = tokenLogProbs.sum(1);
        return new TeacherForcingOutput(tokenLogProbs.MoveToOuterDisposeScope(), mask.MoveToOuterDisposeScope(),
            tokenEntropy?.MoveToOuterDisposeScope(), sequenceLogProbs.MoveToOuterDisposeScope());
    }
}

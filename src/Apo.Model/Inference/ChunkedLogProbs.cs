using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace Apo.Model.Inference;

/// <summary>
/// log softmax(h·Wᵀ)[target] (and, when asked, the entropy of that distribution) for N positions,
/// computed a chunk of positions at a time so that no [N, vocab] tensor ever exists — neither in the
/// forward pass nor kept for backward. The forward keeps only h, W, the targets and one log-sum-exp per
/// position; the backward recomputes each chunk's logits and turns them straight into gradients:
/// ∂ log p_y/∂z = onehot(y) − p and ∂H/∂z = −p ⊙ (log p + H). This is what TRL's
/// <c>selective_log_softmax</c> and verl's chunked entropy do for memory, with the backward chunked too.
/// Logits are taken in the model dtype (as the LM head computes them) and everything after in float32.
/// </summary>
public sealed class ChunkedLogProbs : MultiTensorFunction<ChunkedLogProbs>
{
    /// <summary>
    /// Logit elements (positions × vocabulary) in one chunk: 2^25 float32 = 128 MiB, so at the Qwen2.5
    /// vocabulary (151,936) a chunk is 220 positions, and a backward chunk's few temporaries stay well under 1 GB.
    /// </summary>
    public const long DefaultChunkElements = 1L << 25;

    /// <summary>
    /// The chunk size <see cref="TeacherForcing"/> uses, process-wide (a memory/speed knob like torch's global settings;
    /// benchmarks set <see cref="long.MaxValue"/> to measure one unchunked pass). Set it only between steps.
    /// </summary>
    public static long ChunkElements { get; set; } = DefaultChunkElements;

    public override string Name => nameof(ChunkedLogProbs);

    /// <summary>Positions per chunk for a vocabulary of <paramref name="vocabSize"/>.</summary>
    public static int ChunkRows(long vocabSize, long chunkElements = DefaultChunkElements) =>
        (int)Math.Clamp(chunkElements / Math.Max(1, vocabSize), 1, int.MaxValue);

    /// <summary>
    /// [N] float32 log-probs of <paramref name="targets"/> [N] under logits <paramref name="hidden"/> [N, H] · <paramref name="weight"/>ᵀ,
    /// and [N] float32 entropies when <paramref name="withEntropy"/> (else null). Differentiable in hidden and weight.
    /// </summary>
    public static (Tensor LogProbs, Tensor? Entropy) Compute(Tensor hidden, Tensor weight, Tensor targets, bool withEntropy,
        long? chunkElements = null)
    {
        if (hidden.dim() != 2 || weight.dim() != 2 || hidden.shape[1] != weight.shape[1])
            throw new ArgumentException($"hidden [{string.Join(", ", hidden.shape)}] and weight [{string.Join(", ", weight.shape)}] must be [N, H] and [V, H]");
        if (targets.dim() != 1 || targets.shape[0] != hidden.shape[0])
            throw new ArgumentException($"targets [{string.Join(", ", targets.shape)}] must be [{hidden.shape[0]}]");
        int rows = ChunkRows(weight.shape[0], chunkElements ?? ChunkElements);
        if (hidden.shape[0] <= rows) return InOneChunk(hidden, weight, targets, withEntropy);
        var outputs = apply(hidden, weight, targets, rows, withEntropy);
        return (outputs[0], withEntropy ? outputs[1] : null);
    }

    /// <summary>
    /// Positions that fit in one chunk go through plain autograd ops (logits, log_softmax, gather), whose fused
    /// backward is faster for small models than recomputing; what they keep for backward is at most one chunk.
    /// </summary>
    static (Tensor LogProbs, Tensor? Entropy) InOneChunk(Tensor hidden, Tensor weight, Tensor targets, bool withEntropy)
    {
        using var scope = NewDisposeScope();
        var logp = nn.functional.linear(hidden, weight).to(ScalarType.Float32).log_softmax(-1);
        var picked = logp.gather(1, targets.unsqueeze(1)).squeeze(1);
        var entropy = withEntropy ? (logp.exp() * logp).sum(-1).neg() : null;
        return (picked.MoveToOuterDisposeScope(), entropy?.MoveToOuterDisposeScope());
    }

    public override List<Tensor> forward(AutogradContext ctx, params object[] vars)
    {
        var (hidden, weight, targets, rows, withEntropy) = Unpack(vars);
        long count = hidden.shape[0];
        var logProbs = empty(count, dtype: ScalarType.Float32, device: hidden.device);
        var logSumExp = empty(count, dtype: ScalarType.Float32, device: hidden.device);
        var entropy = withEntropy ? empty(count, dtype: ScalarType.Float32, device: hidden.device) : null;
        for (long start = 0; start < count; start += rows)
        {
            using var scope = NewDisposeScope();
            long n = Math.Min(rows, count - start);
            var logits = nn.functional.linear(hidden.narrow(0, start, n), weight).to(ScalarType.Float32);
            var lse = logits.logsumexp(-1);
            logSumExp.narrow(0, start, n).copy_(lse);
            logProbs.narrow(0, start, n).copy_(logits.gather(1, targets.narrow(0, start, n).unsqueeze(1)).squeeze(1) - lse);
            if (entropy is not null)
            {
                // H = −Σ p log p, from log p itself (lse − Σ p·z would cancel digits at peaked distributions).
                var logp = logits - lse.unsqueeze(1);
                entropy.narrow(0, start, n).copy_((logp.exp() * logp).sum(-1).neg());
            }
        }
        ctx.save_for_backward([hidden, weight, targets, logSumExp]);
        ctx.save_data("rows", rows);
        ctx.save_data("entropy", withEntropy);
        // Gradients of an output nobody used arrive undefined instead of as a materialised zero tensor.
        ctx.set_materialize_grads(false);
        return entropy is null ? [logProbs] : [logProbs, entropy];
    }

    public override List<Tensor> backward(AutogradContext ctx, List<Tensor> gradOutputs)
    {
        int rows = (int)ctx.get_data("rows");
        var gradLogProbs = Defined(gradOutputs, 0);
        var gradEntropy = (bool)ctx.get_data("entropy") ? Defined(gradOutputs, 1) : null;
        Tensor gradHidden, gradWeight;
        // Everything made here, the unpacked saved tensors included, is released before returning; only the two
        // gradients move out, into the scope current when backward() was called (PolicyOptimizer keeps one per micro-batch).
        using (var outer = NewDisposeScope())
        {
            var saved = ctx.get_saved_variables();
            Tensor hidden = saved[0], weight = saved[1], targets = saved[2], logSumExp = saved[3];
            long count = hidden.shape[0];
            gradHidden = zeros_like(hidden);
            // Summed over chunks in float32 even for a bf16 model: many small bf16 partial sums would lose digits.
            var gradWeight32 = zeros(weight.shape, dtype: ScalarType.Float32, device: weight.device);
            for (long start = 0; start < count && (gradLogProbs is not null || gradEntropy is not null); start += rows)
            {
                using var scope = NewDisposeScope();
                long n = Math.Min(rows, count - start);
                var h = hidden.narrow(0, start, n);
                var logp = nn.functional.linear(h, weight).to(ScalarType.Float32) - logSumExp.narrow(0, start, n).unsqueeze(1);
                var p = logp.exp();
                var dz = zeros_like(p);
                if (gradLogProbs is not null)
                {
                    var g = gradLogProbs.narrow(0, start, n).unsqueeze(1);
                    dz.sub_(p * g).scatter_add_(1, targets.narrow(0, start, n).unsqueeze(1), g);
                }
                if (gradEntropy is not null)
                {
                    var entropy = (p * logp).sum(-1, keepdim: true).neg();
                    dz.sub_(gradEntropy.narrow(0, start, n).unsqueeze(1) * p * (logp + entropy));
                }
                var dzModel = dz.to(weight.dtype);
                gradHidden.narrow(0, start, n).copy_(dzModel.mm(weight));
                gradWeight32.add_(dzModel.t().mm(h));
            }
            var result = weight.dtype == ScalarType.Float32 ? gradWeight32 : gradWeight32.to(weight.dtype);
            gradHidden.MoveToOuterDisposeScope();
            if (weight.is_leaf && weight.requires_grad)
            {
                // The LM head is a leaf Parameter (the embedding itself when tied): add its gradient to .grad here, as
                // autograd's AccumulateGrad would. Handed back through the engine instead, a [vocab, hidden] gradient
                // whose managed wrapper still holds a reference is summed with the embedding's into a new tensor and
                // then cloned into .grad — two more vocabulary-sized copies at the peak of the backward pass.
                using (no_grad())
                {
                    if (weight.grad is { } existing) existing.add_(result);
                    else weight.grad = result;
                }
                return [gradHidden, null!, null!, null!, null!];
            }
            gradWeight = result.MoveToOuterDisposeScope();
        }
        // One entry per argument of apply: hidden, weight, targets (integers), rows and withEntropy (not tensors).
        return [gradHidden, gradWeight, null!, null!, null!];
    }

    static Tensor? Defined(List<Tensor> grads, int index) =>
        index < grads.Count && grads[index] is { IsInvalid: false } g ? g : null;

    static (Tensor Hidden, Tensor Weight, Tensor Targets, int Rows, bool WithEntropy) Unpack(object[] vars) =>
        ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2], (int)vars[3], (bool)vars[4]);
}

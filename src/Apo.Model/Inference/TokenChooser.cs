using static TorchSharp.torch;

namespace Apo.Model.Inference;

/// <summary>
/// Turns next-token logits into chosen tokens and their log-probs, row by row (so each row's result
/// depends only on its own logits and uniform). Sampling is by inverse CDF: the first token whose
/// cumulative probability exceeds u · total mass of the filtered distribution.
/// </summary>
static class TokenChooser
{
    /// <param name="logits">[B, V] next-token logits.</param>
    /// <param name="uniforms">One uniform in [0, 1) per row (ignored when greedy).</param>
    /// <returns>Chosen ids and the log-prob of each under the distribution it was drawn from
    /// (after temperature/top-k/top-p; the temperature-1 softmax for greedy).</returns>
    public static (long[] Tokens, float[] LogProbs) Choose(Tensor logits, double[] uniforms, SamplingOptions options)
    {
        using var scope = NewDisposeScope();
        var logits32 = logits.to(ScalarType.Float32);
        long vocab = logits32.shape[1];
        Tensor tokens, logProbs;
        if (options.IsGreedy)
        {
            tokens = logits32.argmax(-1, keepdim: true);
            logProbs = logits32.log_softmax(-1).gather(-1, tokens);
        }
        else
        {
            var logp = (logits32 / options.Temperature).log_softmax(-1);
            Tensor candidates = logp, candidateIds = null!;
            bool ranked = false;
            if (options.TopK > 0 && options.TopK < vocab)
            {
                (candidates, candidateIds) = logp.topk(options.TopK, dim: -1, largest: true, sorted: true);
                ranked = true;
            }
            else if (options.TopP < 1)
            {
                (candidates, candidateIds) = logp.sort(-1, descending: true);
                ranked = true;
            }
            if (options.TopP < 1)
            {
                // Keep the smallest prefix whose mass reaches top_p: a token stays if the mass before it is < p.
                var probs = candidates.to(ScalarType.Float64).exp();
                var massBefore = probs.cumsum(-1) - probs;
                candidates = candidates.masked_fill(massBefore.ge(options.TopP), double.NegativeInfinity);
            }
            var filtered = candidates.log_softmax(-1);
            var cdf = filtered.to(ScalarType.Float64).exp().cumsum(-1);
            var u = tensor(uniforms, [uniforms.Length, 1], dtype: ScalarType.Float64, device: logits.device);
            // Scaling u by the last CDF value keeps the pick on a token of positive probability despite rounding.
            var target = u * cdf.narrow(-1, cdf.shape[1] - 1, 1);
            var rank = searchsorted(cdf, target, right: true).clamp_max(cdf.shape[1] - 1);
            logProbs = filtered.gather(-1, rank);
            tokens = ranked ? candidateIds.gather(-1, rank) : rank;
        }
        var tokenArray = tokens.reshape(-1).to(ScalarType.Int64).cpu().data<long>().ToArray();
        var logProbArray = logProbs.reshape(-1).to(ScalarType.Float32).cpu().data<float>().ToArray();
        return (tokenArray, logProbArray);
    }
}

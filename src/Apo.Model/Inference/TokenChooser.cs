using static TorchSharp.torch;

namespace Apo.Model.Inference;

/// <summary>
/// Turns next-token logits into chosen tokens and their log-probs, row by row (each row's result
/// depends only on its own logits and uniform), on the logits' device. The filters follow Hugging
/// Face's warpers and vLLM: temperature, then top-k, then top-p over the distribution renormalised
/// after top-k. Sampling is by inverse CDF over the filtered distribution: the first token whose
/// cumulative probability reaches u · (total mass), so a token of zero probability is never chosen.
/// Everything runs in float32: one log-softmax over the vocabulary, and a second only over the
/// candidates a filter kept.
/// </summary>
public static class TokenChooser
{
    /// <param name="logits">[B, V] next-token logits (any float dtype).</param>
    /// <param name="uniforms">[B] float32 uniforms in [0, 1) (ignored when greedy).</param>
    /// <returns>Chosen ids [B] (int64) and the log-prob [B] (float32) of each under the distribution it was
    /// drawn from (after temperature/top-k/top-p; the temperature-1 softmax for greedy).</returns>
    public static (Tensor Tokens, Tensor LogProbs) Choose(Tensor logits, Tensor uniforms, SamplingOptions options)
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
            var logp = (options.Temperature == 1.0 ? logits32 : logits32 / options.Temperature).log_softmax(-1);
            Tensor filtered = logp, candidateIds = null!;
            bool ranked = false;
            if (options.TopK > 0 && options.TopK < vocab)
            {
                (filtered, candidateIds) = logp.topk(options.TopK, dim: -1, largest: true, sorted: true);
                filtered = filtered.log_softmax(-1); // renormalised over the k kept, before top-p reads the mass
                ranked = true;
            }
            else if (options.TopP < 1)
            {
                (filtered, candidateIds) = logp.sort(-1, descending: true);
                ranked = true;
            }
            if (options.TopP < 1)
            {
                // Keep the smallest prefix whose mass reaches top_p: a token stays if the mass before it is < p.
                var probs = filtered.exp();
                var massBefore = probs.cumsum(-1) - probs;
                filtered = filtered.masked_fill(massBefore.ge(options.TopP), double.NegativeInfinity).log_softmax(-1);
            }
            var cdf = filtered.exp().cumsum(-1);
            // u · total (so rounding in the CDF cannot push the target past the last token), kept above 0 so
            // the first token reaching it has positive probability (left search: first cdf ≥ target).
            var target = (uniforms.to(ScalarType.Float32).reshape(-1, 1) * cdf.narrow(-1, cdf.shape[1] - 1, 1)).clamp_min(float.Epsilon);
            var rank = searchsorted(cdf, target, right: false).clamp_max(cdf.shape[1] - 1);
            logProbs = filtered.gather(-1, rank);
            tokens = ranked ? candidateIds.gather(-1, rank) : rank;
        }
        return (tokens.reshape(-1).MoveToOuterDisposeScope(), logProbs.reshape(-1).MoveToOuterDisposeScope());
    }

    /// <summary><see cref="Choose(Tensor, Tensor, SamplingOptions)"/> with host uniforms and host results (one device-to-host copy).</summary>
    public static (long[] Tokens, float[] LogProbs) ChooseOnHost(Tensor logits, float[] uniforms, SamplingOptions options)
    {
        using var scope = NewDisposeScope();
        var u = tensor(uniforms, device: logits.device);
        var (tokens, logProbs) = Choose(logits, u, options);
        var both = stack([tokens.to(ScalarType.Float64), logProbs.to(ScalarType.Float64)]).cpu().data<double>().ToArray();
        int n = uniforms.Length;
        var tokenArray = new long[n];
        var logProbArray = new float[n];
        for (int i = 0; i < n; i++)
        {
            tokenArray[i] = (long)both[i];
            logProbArray[i] = (float)both[n + i];
        }
        return (tokenArray, logProbArray);
    }
}

namespace Apo.Tasks.Evaluation;

/// <summary>
/// Monte-Carlo estimate of KL(π ‖ π_ref) from responses sampled from π, using the per-token
/// log-probabilities both policies assign to those same tokens (response tokens only, EOS
/// included, padding excluded). <see cref="PerSequence"/> is the mean over responses of
/// Σ_t (log π − log π_ref), an unbiased estimate of the sequence-level KL; <see cref="PerToken"/>
/// divides the total by the total token count (so long responses weigh more).
/// Single estimates can be negative; only their expectation is a KL.
/// </summary>
public sealed record KlEstimate(double PerSequence, double PerToken, int Sequences, long Tokens)
{
    /// <summary>Estimates from parallel per-sequence arrays of log-probs.</summary>
    /// <exception cref="ArgumentException">Empty input, mismatched lengths, or a non-finite log-prob
    /// (the message names the sequence and token).</exception>
    public static KlEstimate FromLogProbs(
        IReadOnlyList<IReadOnlyList<double>> policyLogProbs, IReadOnlyList<IReadOnlyList<double>> referenceLogProbs)
    {
        ArgumentNullException.ThrowIfNull(policyLogProbs);
        ArgumentNullException.ThrowIfNull(referenceLogProbs);
        if (policyLogProbs.Count == 0) throw new ArgumentException("no sequences", nameof(policyLogProbs));
        if (policyLogProbs.Count != referenceLogProbs.Count)
            throw new ArgumentException(
                $"{policyLogProbs.Count} policy sequences but {referenceLogProbs.Count} reference sequences", nameof(referenceLogProbs));

        double sumOfSequenceSums = 0;
        long tokens = 0;
        for (int s = 0; s < policyLogProbs.Count; s++)
        {
            var policy = policyLogProbs[s] ?? throw new ArgumentException($"policy sequence {s} is null", nameof(policyLogProbs));
            var reference = referenceLogProbs[s] ?? throw new ArgumentException($"reference sequence {s} is null", nameof(referenceLogProbs));
            if (policy.Count != reference.Count)
                throw new ArgumentException(
                    $"sequence {s}: {policy.Count} policy log-probs but {reference.Count} reference log-probs", nameof(referenceLogProbs));
            double sequenceSum = 0;
            for (int t = 0; t < policy.Count; t++)
            {
                double lp = policy[t], lr = reference[t];
                if (!double.IsFinite(lp) || !double.IsFinite(lr))
                    throw new ArgumentException($"sequence {s} token {t}: log-probs {lp} (policy) and {lr} (reference) must be finite");
                sequenceSum += lp - lr;
            }
            sumOfSequenceSums += sequenceSum;
            tokens += policy.Count;
        }
        return new KlEstimate(
            sumOfSequenceSums / policyLogProbs.Count,
            tokens == 0 ? 0.0 : sumOfSequenceSums / tokens,
            policyLogProbs.Count,
            tokens);
    }

    /// <summary><see cref="FromLogProbs(IReadOnlyList{IReadOnlyList{double}}, IReadOnlyList{IReadOnlyList{double}})"/> for float arrays (as tensors hand them out).</summary>
    public static KlEstimate FromLogProbs(IReadOnlyList<float[]> policyLogProbs, IReadOnlyList<float[]> referenceLogProbs)
    {
        ArgumentNullException.ThrowIfNull(policyLogProbs);
        ArgumentNullException.ThrowIfNull(referenceLogProbs);
        return FromLogProbs(Widen(policyLogProbs), Widen(referenceLogProbs));
    }

    private static IReadOnlyList<IReadOnlyList<double>> Widen(IReadOnlyList<float[]> sequences) =>
        sequences.Select(seq => seq is null ? null! : (IReadOnlyList<double>)Array.ConvertAll(seq, x => (double)x)).ToList();
}

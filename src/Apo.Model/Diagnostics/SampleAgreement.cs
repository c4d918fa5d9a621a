using Apo.Model.Inference;

namespace Apo.Model.Diagnostics;

/// <summary>
/// How far two samplers given the same seeds drew the same tokens: per sequence, the tokens equal up
/// to its first difference (after a flipped draw the rest legitimately diverges), the sequences that
/// differ at all, and the largest gap between the log-probs of the equal tokens.
/// </summary>
public readonly record struct SampleAgreement(long AgreeingTokens, long TotalTokens, int DivergedSequences, double MaxLogProbGap)
{
    public double Rate => TotalTokens == 0 ? 1 : (double)AgreeingTokens / TotalTokens;

    /// <summary>Flipped draws per draw compared: each diverged sequence flipped once, after its agreeing tokens.</summary>
    public double FlipRate => AgreeingTokens + DivergedSequences == 0 ? 0 : (double)DivergedSequences / (AgreeingTokens + DivergedSequences);

    public static SampleAgreement Between(IReadOnlyList<GeneratedSequence> expected, IReadOnlyList<GeneratedSequence> actual)
    {
        if (expected.Count != actual.Count) throw new ArgumentException($"{expected.Count} sequences against {actual.Count}");
        long agreeing = 0, total = 0;
        int diverged = 0;
        double gap = 0;
        for (int i = 0; i < expected.Count; i++)
        {
            var (a, b) = (expected[i], actual[i]);
            total += a.TokenIds.Length;
            int t = 0;
            for (; t < Math.Min(a.TokenIds.Length, b.TokenIds.Length) && a.TokenIds[t] == b.TokenIds[t]; t++)
            {
                agreeing++;
                gap = Math.Max(gap, Math.Abs(a.LogProbs[t] - b.LogProbs[t]));
            }
            if (t < a.TokenIds.Length || t < b.TokenIds.Length) diverged++;
        }
        return new SampleAgreement(agreeing, total, diverged, gap);
    }
}

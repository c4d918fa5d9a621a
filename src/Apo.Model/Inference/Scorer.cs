using Apo.Common.Batching;
using Apo.Model.Qwen2;
using static TorchSharp.torch;

namespace Apo.Model.Inference;

/// <summary>Log-probs of one response: per token (EOS included) and their sum.</summary>
public sealed record SequenceScore(float[] TokenLogProbs, double Sum);

/// <summary>Batched, gradient-free scoring of responses at temperature 1 (e.g. reference log-probs).</summary>
public static class Scorer
{
    /// <summary>
    /// Per-sequence response log-probs under teacher forcing, in input order, in forward passes of at most
    /// <paramref name="maxTokens"/> padded tokens each (<see cref="TokenBudget.Pack"/>: rows of similar length
    /// together; <see cref="TokenBudget.Unlimited"/> = one pass).
    /// </summary>
    public static IReadOnlyList<SequenceScore> Score(Qwen2ForCausalLM model, IReadOnlyList<int[]> prompts, IReadOnlyList<int[]> responses, int maxTokens)
    {
        if (maxTokens < 0) throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens, "must be ≥ 0 (0 = unlimited)");
        if (prompts.Count != responses.Count) throw new ArgumentException($"{prompts.Count} prompts but {responses.Count} responses", nameof(responses));
        var results = new SequenceScore[prompts.Count];
        var lengths = Enumerable.Range(0, prompts.Count).Select(i => prompts[i].Length + responses[i].Length).ToArray();
        using var noGrad = no_grad();
        foreach (var chunk in TokenBudget.Pack(Enumerable.Range(0, prompts.Count).ToArray(), lengths, maxTokens))
        {
            using var scope = NewDisposeScope();
            using var output = TeacherForcing.Forward(model, chunk.Select(i => prompts[i]).ToArray(), chunk.Select(i => responses[i]).ToArray());
            var values = output.TokenLogProbs.cpu();
            int width = (int)values.shape[1];
            var flat = width == 0 ? [] : values.data<float>().ToArray();
            for (int row = 0; row < chunk.Length; row++)
            {
                int length = responses[chunk[row]].Length;
                var tokens = flat.AsSpan(row * width, length).ToArray();
                results[chunk[row]] = new SequenceScore(tokens, tokens.Sum(x => (double)x));
            }
        }
        return results;
    }
}

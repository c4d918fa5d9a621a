using Apo.Common.Randomness;
using Apo.Model.Inference;
using Apo.Model.Qwen2;
using Apo.Model.Text;
using Apo.Tasks.Verifiers;

namespace Apo.Engine.Rollouts;

/// <summary>
/// Samples responses for prompts in batches and scores each with a verifier. Sample j of prompt p
/// uses the seed derived from (seed, purpose, p.Id, j), so results do not depend on batching or
/// order. Synchronous tensor work: call it on the device's thread.
/// </summary>
public sealed class RolloutSampler(Qwen2ForCausalLM model, TextTokenizer tokenizer, IVerifier verifier, int batchSize = 32)
{
    public IReadOnlyList<ScoredSample> Sample(IReadOnlyList<ScoredPrompt> prompts, int samplesPerPrompt,
        SamplingOptions options, long seed, string purpose)
    {
        if (samplesPerPrompt <= 0) throw new ArgumentOutOfRangeException(nameof(samplesPerPrompt), samplesPerPrompt, "must be positive");
        var work = prompts.SelectMany(p => Enumerable.Range(0, samplesPerPrompt).Select(j => (Prompt: p, Index: j))).ToList();
        var results = new List<ScoredSample>(work.Count);
        foreach (var chunk in work.Chunk(batchSize))
        {
            var seeds = chunk.Select(w => StableSeed.Derive(seed, purpose, w.Prompt.Id, w.Index)).ToList();
            var generated = Sampler.Generate(model, chunk.Select(w => w.Prompt.PromptIds).ToList(), options, seeds);
            for (int i = 0; i < chunk.Length; i++)
            {
                var sequence = generated.Sequences[i];
                string text = tokenizer.Decode(sequence.TokenIds, skipSpecialTokens: true);
                var verdict = verifier.Verify(text, chunk[i].Prompt.GroundTruth);
                results.Add(new ScoredSample(chunk[i].Prompt.Id, chunk[i].Index, sequence.TokenIds, sequence.LogProbs,
                    sequence.Finished, text, verdict.IsCorrect ? 1.0 : 0.0, verdict.Failure));
            }
        }
        return results;
    }
}

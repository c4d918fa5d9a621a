using Apo.Common.Randomness;
using Apo.Model.Inference;
using Apo.Model.Qwen2;
using Apo.Model.Text;
using Apo.Tasks.Verifiers;

namespace Apo.Engine.Rollouts;

/// <summary>
/// Samples responses for prompts through the rollout engine (<see cref="Sampler"/>: all of them in one
/// continuous batch, each prompt prefilled once for its samples) and scores each with a verifier.
/// Sample j of prompt p uses the seed derived from (seed, purpose, p.Id, j), so results do not depend
/// on scheduling or order. Synchronous tensor work: call it on the device's thread.
/// </summary>
public sealed class RolloutSampler(Qwen2ForCausalLM model, TextTokenizer tokenizer, IVerifier verifier, SamplerSettings? settings = null)
{
    public IReadOnlyList<ScoredSample> Sample(IReadOnlyList<ScoredPrompt> prompts, int samplesPerPrompt,
        SamplingOptions options, long seed, string purpose)
    {
        if (samplesPerPrompt <= 0) throw new ArgumentOutOfRangeException(nameof(samplesPerPrompt), samplesPerPrompt, "must be positive");
        var results = new List<ScoredSample>(prompts.Count * samplesPerPrompt);
        if (prompts.Count == 0) return results;
        var groups = prompts.Select(p => new PromptSamples(p.PromptIds,
            Enumerable.Range(0, samplesPerPrompt).Select(j => StableSeed.Derive(seed, purpose, p.Id, j)).ToArray())).ToList();
        var generated = Sampler.Generate(model, groups, options, settings);
        for (int p = 0; p < prompts.Count; p++)
            for (int j = 0; j < samplesPerPrompt; j++)
            {
                var sequence = generated[p][j];
                string text = tokenizer.Decode(sequence.TokenIds, skipSpecialTokens: true);
                var verdict = verifier.Verify(text, prompts[p].GroundTruth);
                results.Add(new ScoredSample(prompts[p].Id, j, sequence.TokenIds, sequence.LogProbs,
                    sequence.Finished, text, verdict.IsCorrect ? 1.0 : 0.0, verdict.Failure));
            }
        return results;
    }
}

using Apo.Abstractions.Prompts;
using Apo.Abstractions.StageOne;
using Apo.Engine.Rollouts;
using Apo.Model.Inference;
using Apo.Model.Qwen2;
using Apo.Model.Text;
using Apo.Tasks.Verifiers;

namespace Apo.Grains.Generation;

/// <summary>
/// Samples and scores prompts that may belong to different tasks (each task has its own verifier).
/// Seeds come from (seed, purpose, prompt id, sample index) through <see cref="RolloutSampler"/>, so
/// grouping by task changes nothing about what is drawn. Tensor work: call on the device thread.
/// </summary>
internal static class TaskSampling
{
    /// <summary>Samples of every prompt, keyed by prompt id, each list in sample-index order, scheduled by <paramref name="engine"/>.</summary>
    public static Dictionary<string, ScoredSample[]> Sample(Qwen2ForCausalLM model, TextTokenizer tokenizer,
        IReadOnlyList<PromptSpec> prompts, int samplesPerPrompt, SamplingOptions options, long seed, string purpose, SamplerSettings engine)
    {
        var result = new Dictionary<string, ScoredSample[]>(StringComparer.Ordinal);
        foreach (var group in prompts.GroupBy(p => p.Task.Trim().ToLowerInvariant()))
        {
            var sampler = new RolloutSampler(model, tokenizer, VerifierFactory.ForTask(group.Key), engine);
            var scored = group.Select(p => new ScoredPrompt(p.PromptId, p.PromptTokenIds.ToArray(), p.GroundTruth)).ToList();
            foreach (var bySample in sampler.Sample(scored, samplesPerPrompt, options, seed, purpose).GroupBy(s => s.PromptId))
                result[bySample.Key] = bySample.OrderBy(s => s.SampleIndex).ToArray();
        }
        return result;
    }

    /// <summary>The model-side options of the wire-level sampling settings.</summary>
    public static SamplingOptions Options(SamplingSettings settings, string what)
    {
        if (settings is null) throw new InvalidDataException($"{what}: sampling settings are missing");
        if (settings.Problem() is { } problem) throw new InvalidDataException($"{what}: {problem}");
        return new SamplingOptions
        {
            MaxNewTokens = settings.MaxNewTokens,
            Temperature = settings.Temperature,
            TopP = settings.TopP,
            TopK = settings.TopK,
        };
    }
}

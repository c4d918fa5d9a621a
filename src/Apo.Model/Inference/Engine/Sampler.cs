using Apo.Model.Qwen2;
using static TorchSharp.torch;

namespace Apo.Model.Inference;

/// <summary>
/// The rollout engine: continuous batching over a preallocated slot cache. A fixed number of decode
/// slots; when a sequence ends (a stop id, or its token limit) its slot is refilled from the waiting
/// prompts, which are prefilled once for all their samples. Every sequence draws its step-t uniform
/// from <see cref="CounterRandom.Uniform"/>(seed, t), and every scheduling decision depends only on
/// the inputs and the tokens drawn (never on timing), so a repeated run is bit-identical; against
/// <see cref="StaticSampler"/> only float rounding of a different batch shape can flip a draw.
/// Synchronous tensor work: call on the device's thread.
/// </summary>
public static class Sampler
{
    /// <summary>Samples every group; the result holds, per group, its sequences in seed order.</summary>
    public static IReadOnlyList<GeneratedSequence[]> Generate(Qwen2ForCausalLM model, IReadOnlyList<PromptSamples> groups,
        SamplingOptions options, SamplerSettings? settings = null)
    {
        options.Validate();
        settings ??= new SamplerSettings();
        settings.Validate();
        for (int g = 0; g < groups.Count; g++) Check(groups[g], g, model.Config.VocabSize);
        using var noGrad = no_grad();
        using var run = new ContinuousBatch(model, groups, options, settings);
        return run.Run();
    }

    /// <summary>
    /// One response per prompt with its own seed (consecutive equal prompts share one prefill), in
    /// prompt order. <paramref name="tokenLimits"/>: per sequence, at most that many tokens (capped by MaxNewTokens).
    /// </summary>
    public static GenerationResult Generate(Qwen2ForCausalLM model, IReadOnlyList<int[]> prompts, SamplingOptions options,
        IReadOnlyList<long> seeds, SamplerSettings? settings = null, IReadOnlyList<int>? tokenLimits = null)
    {
        if (seeds.Count != prompts.Count) throw new ArgumentException($"{prompts.Count} prompts but {seeds.Count} seeds", nameof(seeds));
        if (tokenLimits is not null && tokenLimits.Count != prompts.Count) throw new ArgumentException($"{prompts.Count} prompts but {tokenLimits.Count} token limits", nameof(tokenLimits));
        if (prompts.Count == 0) throw new ArgumentException("the batch is empty", nameof(prompts));
        var groups = new List<PromptSamples>();
        for (int start = 0; start < prompts.Count;)
        {
            int end = start + 1;
            while (end < prompts.Count && (ReferenceEquals(prompts[end], prompts[start]) || prompts[end].AsSpan().SequenceEqual(prompts[start]))) end++;
            groups.Add(new PromptSamples(prompts[start], seeds.Skip(start).Take(end - start).ToArray(),
                tokenLimits?.Skip(start).Take(end - start).ToArray()));
            start = end;
        }
        return new GenerationResult(Generate(model, groups, options, settings).SelectMany(g => g).ToArray());
    }

    static void Check(PromptSamples group, int index, int vocabSize)
    {
        if (group.PromptIds is null || group.PromptIds.Length == 0) throw new ArgumentException($"prompt {index} is empty (a prompt needs at least one token)");
        PaddedBatch.CheckIds(group.PromptIds, vocabSize, $"prompt {index}");
        if (group.Seeds is null || group.Seeds.Count == 0) throw new ArgumentException($"prompt {index} has no seeds (one per sample)");
        if (group.TokenLimits is not null)
        {
            if (group.TokenLimits.Count != group.Seeds.Count)
                throw new ArgumentException($"prompt {index} has {group.Seeds.Count} seeds but {group.TokenLimits.Count} token limits");
            if (group.TokenLimits.Any(limit => limit <= 0)) throw new ArgumentException($"prompt {index} has a token limit below 1");
        }
    }
}

using System.Collections.Immutable;
using Apo.Abstractions.Prompts;
using Apo.Grains.Generation;
using Apo.Model.Inference;
using Apo.Model.Qwen2;
using Apo.Model.Text;

namespace Apo.Grains.Training;

/// <summary>
/// Greedy accuracy of the policy on held-out prompts, measured by the trainer at each checkpoint
/// so the run's learning curve has a held-out axis. Greedy decoding needs no seed, so a resumed
/// run measures exactly what an uninterrupted one does.
/// </summary>
internal static class HeldOutAccuracy
{
    public static async Task<IReadOnlyList<PromptSpec>> LoadPromptsAsync(IGrainFactory grains, ImmutableArray<string> ids)
    {
        if (ids.IsDefaultOrEmpty) return [];
        var specs = await Task.WhenAll(ids.Select(id => grains.GetGrain<IPromptGrain>(id).GetSpec()));
        for (int i = 0; i < specs.Length; i++)
            if (specs[i] is null) throw new InvalidDataException($"held-out prompt '{ids[i]}' was never initialised");
        return specs!;
    }

    /// <summary>Tensor work: call on the device executor's thread.</summary>
    public static double Measure(Qwen2ForCausalLM policy, TextTokenizer tokenizer, IReadOnlyList<PromptSpec> prompts, int maxNewTokens, SamplerSettings engine)
    {
        var samples = TaskSampling.Sample(policy, tokenizer, prompts, 1, new SamplingOptions { Greedy = true, MaxNewTokens = maxNewTokens }, 0, "heldout", engine);
        return samples.Values.Average(s => s[0].Reward);
    }
}

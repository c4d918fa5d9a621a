using Apo.Abstractions.Prompts;
using Apo.Common.Randomness;
using Apo.Engine.Rollouts;

namespace Apo.Grains.Generation;

/// <summary>
/// What a simulated generator answers (see <see cref="GenerationSimulation"/>): per sample a response of the
/// configured length whose tokens and 0/1 reward derive from the sample's seed, so a retried unit answers the
/// same, and the time a real device would have taken. Token ids stay below the prompt's smallest vocabulary
/// we ship (256), so a trainer can still score them.
/// </summary>
internal static class SimulatedSampling
{
    /// <summary>The samples of every prompt (as <see cref="TaskSampling.Sample"/> answers them) and how long a device would take.</summary>
    public static (Dictionary<string, ScoredSample[]> Samples, TimeSpan Latency) Sample(GenerationSimulation simulation,
        IReadOnlyList<PromptSpec> prompts, int samplesPerPrompt, int maxNewTokens, long seed, string purpose)
    {
        int length = simulation.ResponseTokens > 0 ? simulation.ResponseTokens : maxNewTokens;
        var result = new Dictionary<string, ScoredSample[]>(StringComparer.Ordinal);
        foreach (var prompt in prompts)
            result[prompt.PromptId] = Enumerable.Range(0, samplesPerPrompt).Select(j =>
            {
                long sequenceSeed = StableSeed.Derive(seed, purpose, prompt.PromptId, j);
                var random = new Random(unchecked((int)sequenceSeed));
                var ids = Enumerable.Range(0, length).Select(_ => random.Next(3, 256)).ToArray();
                var logProbs = ids.Select(_ => -(float)random.NextDouble() * 4).ToArray();
                double reward = random.Next(2);
                return new ScoredSample(prompt.PromptId, j, ids, logProbs, Finished: false, Text: $"simulated #### {reward}", reward, null);
            }).ToArray();
        long tokens = (long)prompts.Count * samplesPerPrompt * length;
        var latency = simulation.TokensPerSecond > 0 ? TimeSpan.FromSeconds(tokens / simulation.TokensPerSecond) : TimeSpan.Zero;
        return (result, latency);
    }
}

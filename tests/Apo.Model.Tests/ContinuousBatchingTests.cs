using Apo.Model.Diagnostics;
using Apo.Model.Inference;

namespace Apo.Model.Tests;

/// <summary>The rollout engine against the static sampler and against itself under other schedules.</summary>
public class ContinuousBatchingTests
{
    static readonly int[][] Prompts = TinyModels.Prompts(6, seed: 41, minLength: 2, maxLength: 9);

    /// <summary>Token limits with a long tail, so slots free up at different steps and get refilled.</summary>
    static readonly int[] Limits = [3, 40, 7, 1, 25, 12, 2, 33, 18, 5, 9, 60];

    static List<PromptSamples> Groups(int samplesPerPrompt) =>
        Prompts.Select((p, i) => new PromptSamples(p,
            Enumerable.Range(0, samplesPerPrompt).Select(j => (long)(100 * i + j)).ToArray(),
            Enumerable.Range(0, samplesPerPrompt).Select(j => Limits[(i * samplesPerPrompt + j) % Limits.Length]).ToArray())).ToList();

    static readonly SamplingOptions Options = new() { MaxNewTokens = 60, Temperature = 1.0, StopTokenIds = [] };

    static void AssertSameSequences(IReadOnlyList<GeneratedSequence[]> expected, IReadOnlyList<GeneratedSequence[]> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int g = 0; g < expected.Count; g++)
            for (int j = 0; j < expected[g].Length; j++)
            {
                Assert.Equal(expected[g][j].TokenIds, actual[g][j].TokenIds);
                Assert.Equal(expected[g][j].LogProbs, actual[g][j].LogProbs);
                Assert.Equal(expected[g][j].Finished, actual[g][j].Finished);
            }
    }

    [Fact]
    public void ARepeatedRunIsBitIdentical()
    {
        using var model = TinyModels.Create();
        var settings = new SamplerSettings { Slots = 5 };
        var first = Sampler.Generate(model, Groups(4), Options, settings);
        var second = Sampler.Generate(model, Groups(4), Options, settings);
        AssertSameSequences(first, second);
        Assert.Equal(Limits.Take(4), first[0].Select(s => s.TokenIds.Length)); // each sample ran to its own limit
    }

    [Theory]
    [InlineData(1, 0, true)]      // one slot: sequences one after another
    [InlineData(3, 0, true)]      // slots refilled as sequences end
    [InlineData(8, 0, false)]     // every sample prefilled on its own
    [InlineData(8, 400, true)]    // a KV budget of 400 tokens: slabs of 32, 64 and 128 tokens, sequences moving up
    [InlineData(2, 130, true)]    // one row per slab: sequences wait for a larger slab to free up
    public void EveryScheduleDrawsTheSameTokensAsTheStaticSampler(int slots, long kvTokens, bool sharePrefill)
    {
        using var model = TinyModels.Create();
        var groups = Groups(3);
        var engine = Sampler.Generate(model, groups, Options, new SamplerSettings { Slots = slots, KvTokens = kvTokens, SharePrefill = sharePrefill });
        var flatPrompts = groups.SelectMany(g => g.Seeds.Select(_ => g.PromptIds)).ToList();
        var reference = StaticSampler.Generate(model, flatPrompts, Options, groups.SelectMany(g => g.Seeds).ToList(),
            tokenLimits: groups.SelectMany(g => g.TokenLimits!).ToList()).Sequences;
        var agreement = SampleAgreement.Between(reference, engine.SelectMany(g => g).ToList());
        // Float rounding of a different batch shape may flip a draw; on this tiny float32 model at most one should.
        Assert.True(agreement.AgreeingTokens >= agreement.TotalTokens - 1,
            $"{agreement.TotalTokens - agreement.AgreeingTokens} of {agreement.TotalTokens} tokens differ from the static sampler");
        Assert.True(agreement.MaxLogProbGap < 1e-4, $"log-probs of equal tokens differ by {agreement.MaxLogProbGap}");
    }

    [Fact]
    public void SamplesOfOnePromptShareItsPrefillButDrawTheirOwnTokens()
    {
        using var model = TinyModels.Create();
        var prompt = Prompts[1];
        var options = Options with { MaxNewTokens = 12 };
        var group = Sampler.Generate(model, [new PromptSamples(prompt, [7, 8, 9, 10])], options, new SamplerSettings { Slots = 4 })[0];
        for (int j = 0; j < 4; j++)
        {
            var alone = Sampler.Generate(model, [new PromptSamples(prompt, [7 + j])], options, new SamplerSettings { Slots = 1 })[0][0];
            Assert.Equal(alone.TokenIds, group[j].TokenIds);
        }
        Assert.True(group.Select(s => string.Join(",", s.TokenIds)).Distinct().Count() > 1, "different seeds should give different samples");
    }

    [Fact]
    public void TheFlatFormGroupsRepeatedPromptsAndKeepsPromptOrder()
    {
        using var model = TinyModels.Create();
        var options = Options with { MaxNewTokens = 10 };
        int[][] prompts = [Prompts[0], Prompts[0], Prompts[2], Prompts[0]];
        long[] seeds = [1, 2, 3, 4];
        var flat = Sampler.Generate(model, prompts, options, seeds);
        for (int i = 0; i < prompts.Length; i++)
            Assert.Equal(Sampler.Generate(model, [prompts[i]], options, [seeds[i]]).Sequences[0].TokenIds, flat.Sequences[i].TokenIds);
    }

    [Fact]
    public void ABudgetBelowOneSequenceIsRefusedWithTheNumbers()
    {
        using var model = TinyModels.Create();
        var error = Assert.Throws<ArgumentException>(() =>
            Sampler.Generate(model, [new PromptSamples([5, 6, 7], [1])], Options, new SamplerSettings { KvTokens = 50 }));
        Assert.Contains("62 tokens", error.Message);
        Assert.Contains("KV budget of 50 tokens", error.Message);
    }

    [Fact]
    public void TheSlabPlanHalvesCapacitiesWithinTheBudget()
    {
        Assert.Equal([new KvSlab(8, 100)], KvSlabPlan.For(8, 100, 2, 800).Slabs);    // slots × longest fits: one slab
        Assert.Equal([new KvSlab(8, 100)], KvSlabPlan.For(8, 100, 2, 0).Slabs);      // no budget
        var plan = KvSlabPlan.For(slots: 8, longest: 128, shortestPrompt: 2, budget: 400); // smallest slab ≥ 2 + 16
        Assert.Equal([new KvSlab(4, 32), new KvSlab(2, 64), new KvSlab(1, 128)], plan.Slabs);
        Assert.True(plan.Tokens <= 400);
        Assert.Equal(KvSlabPlan.MaxSlabs, KvSlabPlan.For(64, 16384, 4, 65536).Slabs.Count);
    }
}

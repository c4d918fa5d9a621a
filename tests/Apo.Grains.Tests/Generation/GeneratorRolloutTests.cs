using System.Collections.Immutable;
using Apo.Abstractions;
using Apo.Abstractions.Generation;
using Apo.Abstractions.Prompts;
using Apo.Abstractions.StageOne;
using Apo.Abstractions.Training;
using Apo.Abstractions.Weights;
using Apo.Grains.Runtime;
using Apo.Grains.Weights;
using Microsoft.Extensions.DependencyInjection;

namespace Apo.Grains.Tests.Generation;

[Collection(GeneratorClusterCollection.Name)]
public sealed class GeneratorRolloutTests(GeneratorClusterFixture fixture)
{
    static readonly SamplingSettings StageTwoSampling = new(1.0, 1.0, 0, 6);

    async Task<(ImmutableArray<PromptSpec> Prompts, StageOneProvenance Provenance)> PromptsWithStageOne(int count)
    {
        var prompts = fixture.Model.Prompts(count);
        await fixture.Initialize(prompts);
        var provenance = fixture.Model.Provenance(n: 2);
        await fixture.Grains.GetGrain<IGeneratorGrain>("0").RunStageOne(new StageOneWorkUnit("run-r", "u", fixture.Model.Reference,
            provenance, prompts.Select(p => p.PromptId).ToImmutableArray()));
        return (prompts, provenance);
    }

    RolloutRequest Request(string runId, ImmutableArray<PromptSpec> prompts, StageOneProvenance provenance, WeightVersion weights, long step = 4) =>
        new(runId, step, weights, StageTwoSampling, provenance, prompts.Select(p => p.PromptId).ToImmutableArray(),
            SamplesPerPrompt: 2, Seed: 123, Reference: fixture.Model.Reference);

    WeightVersion Reference => new(0, fixture.Model.Directory);

    [Fact]
    public async Task Answers_one_rollout_per_sample_in_prompt_order_with_its_prompts_VStar()
    {
        var (prompts, provenance) = await PromptsWithStageOne(3);
        string runId = "run-" + Guid.NewGuid().ToString("N");

        var items = await fixture.Grains.GetGrain<IGeneratorGrain>("0").SampleRollouts(Request(runId, prompts, provenance, Reference));

        Assert.Equal(
            prompts.SelectMany(p => new[] { (p.PromptId, 0), (p.PromptId, 1) }),
            items.Select(r => (r.PromptId, r.SampleIndex)));
        foreach (var rollout in items)
        {
            var spec = prompts.Single(p => p.PromptId == rollout.PromptId);
            var vStar = await fixture.Grains.GetGrain<IPromptGrain>(rollout.PromptId).GetVStar(provenance);
            Assert.Equal(vStar, rollout.VStar);
            Assert.Equal(4, rollout.Step);
            Assert.Equal(0, rollout.WeightVersion);
            Assert.Equal(spec.PromptTokenIds.ToArray(), rollout.PromptTokenIds.ToArray());
            Assert.Equal(rollout.ResponseTokenIds.Length, rollout.SamplingLogProbs.Length);
            Assert.All(rollout.SamplingLogProbs, lp => Assert.True(lp <= 0 && float.IsFinite(lp)));
        }
    }

    [Fact]
    public async Task A_retried_step_draws_the_same_samples_and_another_step_draws_new_ones()
    {
        var (prompts, provenance) = await PromptsWithStageOne(3);
        string runId = "run-" + Guid.NewGuid().ToString("N");
        var generator = fixture.Grains.GetGrain<IGeneratorGrain>("1");

        var first = await generator.SampleRollouts(Request(runId, prompts, provenance, Reference, step: 1));
        var retried = await fixture.Grains.GetGrain<IGeneratorGrain>("0").SampleRollouts(Request(runId, prompts, provenance, Reference, step: 1));
        var next = await generator.SampleRollouts(Request(runId, prompts, provenance, Reference, step: 2));

        static string Key(Rollout r) => $"{r.PromptId}/{r.SampleIndex}";
        static Dictionary<string, string> Tokens(ImmutableArray<Rollout> items) => items.ToDictionary(Key, r => string.Join(",", r.ResponseTokenIds));
        Assert.Equal(Tokens(first), Tokens(retried));
        Assert.NotEqual(Tokens(first), Tokens(next));
    }

    [Fact]
    public async Task Loads_a_published_version_from_the_weight_store_and_samples_with_it()
    {
        var (prompts, provenance) = await PromptsWithStageOne(2);
        string runId = "run-" + Guid.NewGuid().ToString("N");
        var runtime = fixture.Silo.GetRequiredService<TensorRuntime>();
        var store = fixture.Silo.GetRequiredService<IWeightStore>();
        var v1 = await runtime.Training.Executor.Run(() =>
        {
            using var policy = fixture.Model.Create(seed: 77);
            return store.Publish(runId, 1, policy, fixture.Model.Tokenizer);
        });
        var generator = fixture.Grains.GetGrain<IGeneratorGrain>("2");
        var sequences = prompts.Select((p, i) => new GenerationPrompt(p.PromptId, p.PromptTokenIds, 1000 + i)).ToImmutableArray();
        GenerationRequest Generate(WeightVersion w) => new("g", w, StageTwoSampling, sequences, fixture.Model.Reference);

        var withReference = await generator.Generate(Generate(Reference));
        Assert.Equal(Reference, await generator.GetLoadedWeights());
        var withV1 = await generator.Generate(Generate(v1));
        Assert.Equal(v1, await generator.GetLoadedWeights());
        Assert.Equal(1, withV1.WeightVersion);
        var again = await generator.Generate(Generate(Reference));

        static string Tokens(GenerationResult r) => string.Join("|", r.Sequences.Select(s => string.Join(",", s.ResponseTokenIds)));
        Assert.NotEqual(Tokens(withReference), Tokens(withV1));  // other weights, other samples
        Assert.Equal(Tokens(withReference), Tokens(again));      // version 0 reloaded exactly

        var rollouts = await generator.SampleRollouts(Request(runId, prompts, provenance, v1));
        Assert.Equal(4, rollouts.Length);
        Assert.All(rollouts, r => Assert.Equal(1, r.WeightVersion));
    }

    [Fact]
    public async Task A_sequence_is_the_same_whatever_batch_it_is_sampled_in()
    {
        var prompts = fixture.Model.Prompts(3);
        var all = prompts.Select((p, i) => new GenerationPrompt(p.PromptId, p.PromptTokenIds, 500 + i)).ToImmutableArray();
        var generator = fixture.Grains.GetGrain<IGeneratorGrain>("3");

        var batch = await generator.Generate(new GenerationRequest("all", Reference, StageTwoSampling, all, fixture.Model.Reference));
        var alone = await generator.Generate(new GenerationRequest("one", Reference, StageTwoSampling, [all[2]], fixture.Model.Reference));

        Assert.Equal(3, batch.Sequences.Length);
        Assert.Equal(all.Select(s => s.PromptId), batch.Sequences.Select(s => s.PromptId));
        Assert.Equal(batch.Sequences[2].ResponseTokenIds.ToArray(), alone.Sequences[0].ResponseTokenIds.ToArray());
    }

    [Fact]
    public async Task Rollouts_for_a_prompt_without_stage_one_fail_clearly()
    {
        var prompts = fixture.Model.Prompts(1);
        await fixture.Initialize(prompts);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => fixture.Grains.GetGrain<IGeneratorGrain>("0")
            .SampleRollouts(Request("run-x", prompts, fixture.Model.Provenance(), Reference)));
        Assert.Contains("no stage-1 V̂*", error.Message);
        Assert.Contains(prompts[0].PromptId, error.Message);
    }
}

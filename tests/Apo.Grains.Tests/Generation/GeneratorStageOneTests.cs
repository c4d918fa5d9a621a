using System.Collections.Immutable;
using Apo.Abstractions.Generation;
using Apo.Abstractions.Prompts;
using Apo.Abstractions.StageOne;
using Apo.Common.Randomness;
using Apo.Grains.Generation;
using Apo.Model;
using Apo.Model.Inference;

namespace Apo.Grains.Tests.Generation;

[Collection(GeneratorClusterCollection.Name)]
public sealed class GeneratorStageOneTests(GeneratorClusterFixture fixture)
{
    StageOneWorkUnit Unit(ImmutableArray<PromptSpec> prompts, StageOneProvenance provenance, string id = "u0") =>
        new("run-s1", id, fixture.Model.Reference, provenance, prompts.Select(p => p.PromptId).ToImmutableArray());

    [Fact]
    public async Task The_same_unit_twice_at_once_and_again_later_records_each_prompt_exactly_once()
    {
        var prompts = fixture.Model.Prompts(5);
        await fixture.Initialize(prompts);
        var provenance = fixture.Model.Provenance(n: 4);
        var unit = Unit(prompts, provenance);

        var racing = await Task.WhenAll(
            fixture.Grains.GetGrain<IGeneratorGrain>("0").RunStageOne(unit),
            fixture.Grains.GetGrain<IGeneratorGrain>("1").RunStageOne(unit));
        var later = await fixture.Grains.GetGrain<IGeneratorGrain>("0").RunStageOne(unit);

        Assert.Equal(5, racing.Sum(r => r.Recorded));               // each prompt stored by exactly one of the two
        Assert.All(racing, r => Assert.Equal(5, r.Recorded + r.AlreadyPresent));
        Assert.Equal(new StageOneWorkResult("u0", 0, 5, 0), later); // resumable: nothing sampled again
        foreach (var spec in prompts)
        {
            var record = await fixture.Grains.GetGrain<IPromptGrain>(spec.PromptId).GetStageOne(provenance);
            Assert.NotNull(record);
            Assert.Equal(StageOneOrigin.Sampled, record.Origin);
            Assert.Equal(4, record.Samples.Length);
            Assert.All(record.Samples, s => Assert.InRange(s.ResponseTokenIds.Length, 1, 6));
            // V̂* = β1·log mean exp(r/β1) with β1 = 0.5, recomputed here from the stored rewards.
            double expected = 0.5 * Math.Log(record.Samples.Average(s => Math.Exp(s.Reward / 0.5)));
            Assert.Equal(expected, record.VStar, 12);
        }
    }

    [Fact]
    public async Task Sample_j_of_a_prompt_is_what_the_reference_draws_with_the_seed_of_stage1_prompt_id_and_j()
    {
        var prompts = fixture.Model.Prompts(2);
        await fixture.Initialize(prompts);
        var provenance = fixture.Model.Provenance(n: 3, seed: 99);
        await fixture.Grains.GetGrain<IGeneratorGrain>("0").RunStageOne(Unit(prompts, provenance));

        var spec = prompts[1];
        var record = await fixture.Grains.GetGrain<IPromptGrain>(spec.PromptId).GetStageOne(provenance);

        // Independent draw: the reference loaded from disk, sampled alone with the documented seed convention.
        using var reference = ModelDirectory.Load(fixture.Model.Directory);
        var options = new SamplingOptions { MaxNewTokens = 6, Temperature = 1.0, TopP = 1.0 };
        var seeds = Enumerable.Range(0, 3).Select(j => StableSeed.Derive(99, GeneratorGrain.StageOnePurpose, spec.PromptId, j)).ToList();
        var direct = Sampler.Generate(reference.Model, Enumerable.Repeat(spec.PromptTokenIds.ToArray(), 3).ToList(), options, seeds);
        for (int j = 0; j < 3; j++)
        {
            Assert.Equal(direct.Sequences[j].TokenIds, record!.Samples[j].ResponseTokenIds.ToArray());
            Assert.Equal(reference.Tokenizer.Decode(direct.Sequences[j].TokenIds, skipSpecialTokens: true), record.Samples[j].ResponseText);
        }
    }

    [Fact]
    public async Task A_unit_naming_an_uninitialized_prompt_or_another_reference_fails_clearly()
    {
        var provenance = fixture.Model.Provenance();
        var unknown = Unit([fixture.Model.Prompts(1)[0]], provenance);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => fixture.Grains.GetGrain<IGeneratorGrain>("0").RunStageOne(unknown));
        Assert.Contains("not initialized", error.Message);

        var prompts = fixture.Model.Prompts(1);
        await fixture.Initialize(prompts);
        var otherHash = provenance with { ReferenceModelHash = "sha256:other" };
        var mismatch = Unit(prompts, otherHash) with { Reference = fixture.Model.Reference with { Hash = "sha256:other" } };
        error = await Assert.ThrowsAsync<InvalidDataException>(() => fixture.Grains.GetGrain<IGeneratorGrain>("0").RunStageOne(mismatch));
        Assert.Contains("content hash", error.Message);
    }
}

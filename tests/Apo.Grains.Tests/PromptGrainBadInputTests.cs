using System.Collections.Immutable;
using Apo.Abstractions.Prompts;
using Apo.Abstractions.StageOne;

namespace Apo.Grains.Tests;

/// <summary>Bad stage-1 input is a clear error and leaves the stored record exactly as it was.</summary>
[Collection(ClusterCollection.Name)]
public sealed class PromptGrainBadInputTests(ClusterFixture fixture)
{
    private async Task<(IPromptGrain Grain, StageOneProvenance Provenance)> GrainWithRecord()
    {
        var key = TestData.NewKey();
        var grain = fixture.Cluster.GrainFactory.GetGrain<IPromptGrain>(key);
        await grain.Initialize(TestData.Spec(key));
        var provenance = TestData.Provenance();
        await grain.RecordStageOne(provenance, TestData.Samples(3));
        return (grain, provenance);
    }

    private static async Task AssertUnchanged(IPromptGrain grain, StageOneProvenance provenance)
    {
        Assert.Equal(provenance, await grain.GetStoredProvenance());
        var record = await grain.GetStageOne(provenance);
        Assert.NotNull(record);
        Assert.Equal([1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0], record.Samples.Select(s => s.Reward));
        Assert.Equal(TestData.ClosedFormVStar(3, 8, 0.5), record.VStar, 12);
    }

    [Fact]
    public async Task N_mismatch_is_an_error_and_changes_nothing()
    {
        var (grain, provenance) = await GrainWithRecord();
        // A new provenance (would replace) but with 7 samples for N = 8.
        var changed = provenance with { Seed = 99 };

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => grain.RecordStageOne(changed, TestData.Samples(3, 7)));

        Assert.EndsWith("stage 1 has 7 samples but its provenance says N = 8", error.Message);
        Assert.StartsWith("data/train.jsonl line 4: prompt 'p-", error.Message);
        await AssertUnchanged(grain, provenance);
    }

    [Fact]
    public async Task A_NaN_reward_is_an_error_and_changes_nothing()
    {
        var (grain, provenance) = await GrainWithRecord();
        var samples = TestData.Samples(3).SetItem(5, new StageOneSample([9, 151643], "####", double.NaN, true, null));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => grain.RecordStageOne(provenance with { Beta1 = 1.0 }, samples));

        Assert.Contains("stage-1 sample 5: field \"reward\" is NaN", error.Message);
        await AssertUnchanged(grain, provenance);
    }

    [Fact]
    public async Task An_infinite_reward_is_an_error()
    {
        var (grain, provenance) = await GrainWithRecord();
        var samples = TestData.Samples(3).SetItem(0, new StageOneSample([9], "x", double.PositiveInfinity, true, null));
        await Assert.ThrowsAsync<InvalidDataException>(() => grain.ImportStageOne(provenance with { Seed = 1 }, samples));
        await AssertUnchanged(grain, provenance);
    }

    [Fact]
    public async Task A_bad_provenance_is_an_error_naming_the_field()
    {
        var (grain, provenance) = await GrainWithRecord();

        var negativeBeta = await Assert.ThrowsAsync<InvalidDataException>(() => grain.RecordStageOne(provenance with { Beta1 = -1 }, TestData.Samples(3)));
        Assert.Contains("β1 is -1", negativeBeta.Message);
        var emptyHash = await Assert.ThrowsAsync<InvalidDataException>(() => grain.RecordStageOne(provenance with { ReferenceModelHash = "" }, TestData.Samples(3)));
        Assert.Contains("reference model hash is empty", emptyHash.Message);
        var badTopP = await Assert.ThrowsAsync<InvalidDataException>(() =>
            grain.RecordStageOne(provenance with { Sampling = provenance.Sampling with { TopP = 0 } }, TestData.Samples(3)));
        Assert.Contains("top-p is 0", badTopP.Message);

        await AssertUnchanged(grain, provenance);
    }

    [Fact]
    public async Task A_default_sample_array_counts_as_zero_samples()
    {
        var (grain, provenance) = await GrainWithRecord();
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => grain.RecordStageOne(provenance with { Seed = 5 }, ImmutableArray<StageOneSample>.Empty));
        Assert.EndsWith("stage 1 has 0 samples but its provenance says N = 8", error.Message);
        await AssertUnchanged(grain, provenance);
    }
}

using System.Collections.Immutable;
using Apo.Abstractions.Prompts;
using Apo.Abstractions.StageOne;

namespace Apo.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class PromptGrainStageOneTests(ClusterFixture fixture)
{
    private async Task<IPromptGrain> InitializedGrain()
    {
        var key = TestData.NewKey();
        var grain = fixture.Cluster.GrainFactory.GetGrain<IPromptGrain>(key);
        await grain.Initialize(TestData.Spec(key));
        return grain;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    public async Task VStar_matches_the_closed_form_for_k_correct_of_8_at_beta1_one_half(int k)
    {
        var grain = await InitializedGrain();
        var provenance = TestData.Provenance();

        var outcome = await grain.RecordStageOne(provenance, TestData.Samples(k));

        // β1 = 0.5: V̂* = 0.5·ln((k·e² + (8 − k))/8) = 0.5·ln(1 + (k/8)(e² − 1)); k=0 → 0, k=8 → 1.
        var expected = 0.5 * Math.Log(1 + k / 8.0 * (Math.Exp(2) - 1));
        Assert.Equal(expected, outcome.Record.VStar, 12);
        Assert.Equal(StageOneWrite.Recorded, outcome.Write);
        Assert.Null(outcome.ReplacedProvenance);
        Assert.Equal(expected, (await grain.GetVStar(provenance))!.Value, 12);
    }

    [Fact]
    public async Task VStar_for_3_of_8_is_the_hand_computed_value()
    {
        // 0.5·ln(1 + (3/8)(7.3890561 − 1)) = 0.5·ln(3.3958960) = 0.5·1.2225677 = 0.6112838
        var grain = await InitializedGrain();
        var outcome = await grain.RecordStageOne(TestData.Provenance(), TestData.Samples(3));
        Assert.Equal(0.6112838, outcome.Record.VStar, 6);
    }

    [Fact]
    public async Task Beta1_zero_gives_the_plain_mean()
    {
        var grain = await InitializedGrain();
        var outcome = await grain.RecordStageOne(TestData.Provenance(beta1: 0), TestData.Samples(3));
        Assert.Equal(3 / 8.0, outcome.Record.VStar, 15);
    }

    [Fact]
    public async Task Twenty_racing_duplicates_store_exactly_once_and_all_see_the_first_record()
    {
        var grain = await InitializedGrain();
        var provenance = TestData.Provenance();

        // Same provenance, different rewards per caller: whichever arrives first wins, the rest are ignored.
        var calls = Enumerable.Range(0, 20)
            .Select(i => grain.RecordStageOne(provenance, TestData.Samples(i % 9)))
            .ToArray();
        var outcomes = await Task.WhenAll(calls);

        Assert.Single(outcomes, o => o.Write == StageOneWrite.Recorded);
        Assert.Equal(19, outcomes.Count(o => o.WasDuplicate));
        var winner = outcomes.Single(o => o.Write == StageOneWrite.Recorded).Record;
        var winnerK = winner.Samples.Count(s => s.Reward == 1.0);
        Assert.Equal(TestData.ClosedFormVStar(winnerK, 8, 0.5), winner.VStar, 12);
        Assert.All(outcomes, o => Assert.Equal(winner.VStar, o.Record.VStar));
        Assert.All(outcomes, o => Assert.Equal(winner.Samples.Select(s => s.Reward), o.Record.Samples.Select(s => s.Reward)));

        var stored = await grain.GetStageOne(provenance);
        Assert.NotNull(stored);
        Assert.Equal(winner.Samples.Select(s => s.Reward), stored.Samples.Select(s => s.Reward));
    }

    [Fact]
    public async Task A_later_duplicate_returns_the_stored_record_not_its_own_samples()
    {
        var grain = await InitializedGrain();
        var provenance = TestData.Provenance();
        await grain.RecordStageOne(provenance, TestData.Samples(2));

        var again = await grain.RecordStageOne(provenance, TestData.Samples(7));

        Assert.True(again.WasDuplicate);
        Assert.Equal(2, again.Record.Samples.Count(s => s.Reward == 1.0));
        Assert.Equal(TestData.ClosedFormVStar(2, 8, 0.5), again.Record.VStar, 12);
    }

    public static TheoryData<string> ChangedProvenances => ["hash", "beta1", "n", "sampling", "seed"];

    [Theory]
    [MemberData(nameof(ChangedProvenances))]
    public async Task A_changed_provenance_invalidates_and_replaces_the_record(string change)
    {
        var grain = await InitializedGrain();
        var old = TestData.Provenance();
        await grain.RecordStageOne(old, TestData.Samples(2));

        var changed = change switch
        {
            "hash" => old with { ReferenceModelHash = "sha256:ref-b" },
            "beta1" => old with { Beta1 = 1.0 },
            "n" => old with { Samples = 4 },
            "sampling" => old with { Sampling = old.Sampling with { Temperature = 0.6 } },
            _ => old with { Seed = 8 },
        };
        var outcome = await grain.RecordStageOne(changed, TestData.Samples(2, changed.Samples));

        Assert.Equal(StageOneWrite.Replaced, outcome.Write);
        Assert.Equal(old, outcome.ReplacedProvenance);
        Assert.Null(await grain.GetStageOne(old));
        Assert.Null(await grain.GetVStar(old));
        Assert.Equal(changed, await grain.GetStoredProvenance());
        Assert.Equal(TestData.ClosedFormVStar(2, changed.Samples, changed.Beta1), (await grain.GetVStar(changed))!.Value, 12);
    }

    [Fact]
    public async Task GetStageOne_with_another_provenance_is_null_and_does_not_touch_the_record()
    {
        var grain = await InitializedGrain();
        var provenance = TestData.Provenance();
        await grain.RecordStageOne(provenance, TestData.Samples(5));

        Assert.Null(await grain.GetStageOne(provenance with { Beta1 = 0.25 }));
        Assert.NotNull(await grain.GetStageOne(provenance));
    }

    [Fact]
    public async Task Import_follows_the_same_rules_and_accepts_text_only_samples()
    {
        var grain = await InitializedGrain();
        var provenance = TestData.Provenance(hash: "import:sha256:export-file");
        var textOnly = Enumerable.Range(0, 8)
            .Select(i => new StageOneSample([], i < 4 ? "#### 5" : "#### 6", i < 4 ? 1.0 : 0.0, true, null))
            .ToImmutableArray();

        var first = await grain.ImportStageOne(provenance, textOnly);
        var second = await grain.ImportStageOne(provenance, textOnly);

        Assert.Equal(StageOneWrite.Recorded, first.Write);
        Assert.Equal(StageOneOrigin.Imported, first.Record.Origin);
        Assert.Equal(TestData.ClosedFormVStar(4, 8, 0.5), first.Record.VStar, 12);
        Assert.True(second.WasDuplicate);
    }

    [Fact]
    public async Task Recording_requires_response_token_ids()
    {
        var grain = await InitializedGrain();
        var samples = TestData.Samples(1).SetItem(3, new StageOneSample([], "#### 4", 0.0, false, null));
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => grain.RecordStageOne(TestData.Provenance(), samples));
        Assert.Contains("stage-1 sample 3: field \"response token ids\" is empty", error.Message);
    }

    [Fact]
    public async Task Stage_one_before_initialize_is_an_error()
    {
        var grain = fixture.Cluster.GrainFactory.GetGrain<IPromptGrain>(TestData.NewKey());
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => grain.RecordStageOne(TestData.Provenance(), TestData.Samples(1)));
        Assert.Contains("before the prompt was initialized", error.Message);
    }
}

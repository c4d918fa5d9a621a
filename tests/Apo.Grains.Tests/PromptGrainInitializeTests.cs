using Apo.Abstractions.Prompts;

namespace Apo.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class PromptGrainInitializeTests(ClusterFixture fixture)
{
    private IPromptGrain Grain(string key) => fixture.Cluster.GrainFactory.GetGrain<IPromptGrain>(key);

    [Fact]
    public async Task Initialize_stores_the_spec_and_is_idempotent_for_an_equal_spec()
    {
        var key = TestData.NewKey();
        var grain = Grain(key);
        Assert.Null(await grain.GetSpec());

        await grain.Initialize(TestData.Spec(key));
        await grain.Initialize(TestData.Spec(key)); // a fresh but equal instance: no error

        var stored = await grain.GetSpec();
        Assert.NotNull(stored);
        Assert.Equal(key, stored.PromptId);
        Assert.Equal([151644, 3838, 374, 220, 17, 488, 220, 18, 30], stored.PromptTokenIds.ToArray());
        Assert.Equal("5", stored.GroundTruth);
        Assert.Equal("gsm8k", stored.Task);
    }

    [Fact]
    public async Task A_different_spec_for_the_same_key_is_an_error_and_keeps_the_first()
    {
        var key = TestData.NewKey();
        var grain = Grain(key);
        await grain.Initialize(TestData.Spec(key));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => grain.Initialize(TestData.Spec(key, "What is 2 + 4?")));
        Assert.Contains(key, error.Message);
        Assert.Contains("differs", error.Message);

        Assert.Equal(TestData.Spec(key), await grain.GetSpec());
    }

    [Fact]
    public async Task Token_ids_take_part_in_spec_equality()
    {
        var key = TestData.NewKey();
        var grain = Grain(key);
        await grain.Initialize(TestData.Spec(key));

        var otherTokens = TestData.Spec(key) with { PromptTokenIds = [151644, 3838, 374] };
        await Assert.ThrowsAsync<InvalidDataException>(() => grain.Initialize(otherTokens));
    }

    [Fact]
    public async Task An_empty_prompt_id_is_an_error_naming_the_field_and_stores_nothing()
    {
        var key = TestData.NewKey();
        var grain = Grain(key);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => grain.Initialize(TestData.Spec(key) with { PromptId = "" }));
        Assert.Equal("data/train.jsonl line 4: field \"prompt id\" is empty", error.Message);
        Assert.Null(await grain.GetSpec());
    }

    [Fact]
    public async Task A_spec_sent_to_another_prompts_grain_is_an_error()
    {
        var key = TestData.NewKey();
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Grain(key).Initialize(TestData.Spec("some-other-id")));
        Assert.Contains("grain key must match", error.Message);
        Assert.Null(await Grain(key).GetSpec());
    }

    [Fact]
    public async Task Empty_prompt_token_ids_are_an_error()
    {
        var key = TestData.NewKey();
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Grain(key).Initialize(TestData.Spec(key) with { PromptTokenIds = [] }));
        Assert.Contains("\"prompt token ids\" is empty", error.Message);
    }
}

using Apo.Abstractions.Prompts;
using Apo.Abstractions.StageOne;
using Orleans.Runtime;

namespace Apo.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class PromptGrainDurabilityTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Spec_and_stage_one_survive_deactivation()
    {
        var key = TestData.NewKey();
        var grain = fixture.Cluster.GrainFactory.GetGrain<IPromptGrain>(key);
        await grain.Initialize(TestData.Spec(key));
        var provenance = TestData.Provenance();
        await grain.RecordStageOne(provenance, TestData.Samples(6));

        await Deactivate(grain);

        // A new activation reads the state back from grain storage.
        Assert.Equal(TestData.Spec(key), await grain.GetSpec());
        var record = await grain.GetStageOne(provenance);
        Assert.NotNull(record);
        Assert.Equal(StageOneOrigin.Sampled, record.Origin);
        Assert.Equal(TestData.ClosedFormVStar(6, 8, 0.5), record.VStar, 12);
        Assert.Equal([100, 200, 151643], record.Samples[0].ResponseTokenIds.ToArray());
        Assert.Equal("#### 5", record.Samples[0].ResponseText);

        // And it still knows the record is there: a retry after the restart is a duplicate.
        var retry = await grain.RecordStageOne(provenance, TestData.Samples(1));
        Assert.True(retry.WasDuplicate);
        Assert.Equal(TestData.ClosedFormVStar(6, 8, 0.5), retry.Record.VStar, 12);
    }

    private async Task Deactivate(IPromptGrain grain)
    {
        var management = fixture.Cluster.GrainFactory.GetGrain<IManagementGrain>(0);
        Assert.NotNull(await management.GetActivationAddress(grain));

        // Collect every activation idle for more than a moment: the PromptGrain is one of them.
        await Task.Delay(200);
        await management.ForceActivationCollection(TimeSpan.FromMilliseconds(100));

        // Deactivation completes asynchronously; wait until the directory forgets the activation.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (await management.GetActivationAddress(grain) is not null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the PromptGrain was not deactivated within 10 s");
            await Task.Delay(50);
        }
    }
}

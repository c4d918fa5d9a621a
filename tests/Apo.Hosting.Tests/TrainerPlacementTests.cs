using Apo.Abstractions;
using Apo.Abstractions.Placement;
using Apo.Abstractions.Runs;
using Apo.Abstractions.Training;
using Apo.Grains.Runtime;
using Apo.Grains.Weights;
using Apo.Hosting.Placement;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.TestingHost;

namespace Apo.Hosting.Tests;

/// <summary>
/// Two silos: index 0 declares only "generator", index 1 only "trainer", with what the real TrainerGrain and
/// RunGrain need to activate (memory storage and streams, a CPU tensor runtime, an in-process weight store).
/// </summary>
public sealed class TrainerAndGeneratorSilosFixture : IAsyncLifetime
{
    public InProcessTestCluster Cluster { get; private set; } = null!;
    public SiloAddress GeneratorSilo => Cluster.Silos.Single(s => s.Name == "Silo_0").SiloAddress;
    public SiloAddress TrainerSilo => Cluster.Silos.Single(s => s.Name == "Silo_1").SiloAddress;

    public async Task InitializeAsync()
    {
        Cluster = await Clusters.StartAsync(2, (index, silo) =>
        {
            silo.UseApoRole(index == 0 ? SiloRoles.Generator : SiloRoles.Trainer).AddApoPlacement();
            silo.AddMemoryGrainStorage(ApoStorageNames.Grains);
            silo.AddMemoryGrainStorage(ApoStorage.PubSubStoreName);
            silo.AddMemoryStreams(ApoStreams.ProviderName);
            silo.Services.AddSingleton(_ => new TensorRuntime("cpu", 1));
            silo.Services.AddSingleton<IWeightStore>(_ => new InProcessWeightStore());
            silo.Services.AddSingleton(new Apo.Grains.Runs.RunConfinement(Path.GetTempPath()));
        });
        await Cluster.WaitForLivenessToStabilizeAsync();
        await Clusters.WaitForRoleMetadataAsync(Cluster, TimeSpan.FromSeconds(20));
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

public sealed class TrainerPlacementTests(TrainerAndGeneratorSilosFixture fixture) : IClassFixture<TrainerAndGeneratorSilosFixture>
{
    /// <summary>The silos hosting activations of the grain class named <paramref name="className"/>.</summary>
    async Task<SiloAddress[]> HostsOf(string className)
    {
        var statistics = await fixture.Cluster.Client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        return statistics.Where(s => s.GrainType.Contains(className, StringComparison.Ordinal)).Select(s => s.SiloAddress).ToArray();
    }

    [Fact]
    public async Task Every_run_and_trainer_grain_lands_on_the_trainer_silo()
    {
        var keys = Enumerable.Range(0, 24).Select(i => $"placement-run-{i}").ToArray();
        await Task.WhenAll(keys.Select(k => fixture.Cluster.Client.GetGrain<IRunGrain>(k).GetStatus()));
        await Task.WhenAll(keys.Select(k => fixture.Cluster.Client.GetGrain<ITrainerGrain>(k).GetStatus()));

        var runHosts = await HostsOf("RunGrain");
        var trainerHosts = await HostsOf("TrainerGrain");
        Assert.Equal(keys.Length, runHosts.Length);
        Assert.Equal(keys.Length, trainerHosts.Length);
        Assert.All(runHosts.Concat(trainerHosts), host => Assert.Equal(fixture.TrainerSilo, host));
    }

    [Fact]
    public async Task Generators_still_land_on_the_generator_silo_beside_them()
    {
        // The two filters coexist: the trainer silo of this cluster refuses generators.
        var places = await Task.WhenAll(Enumerable.Range(0, 24)
            .Select(i => fixture.Cluster.Client.GetGrain<IGeneratorProbeGrain>(i).Where()));
        Assert.All(places, p => Assert.Equal(fixture.GeneratorSilo, p));
    }
}

public sealed class PlacementWithoutTrainerTests
{
    [Fact]
    public async Task Placement_fails_clearly_when_no_silo_has_the_trainer_role()
    {
        await using var cluster = await Clusters.StartAsync(1, (_, silo) => silo.UseApoRole(SiloRoles.Generator).AddApoPlacement());

        var error = await Assert.ThrowsAnyAsync<Exception>(() => cluster.Client.GetGrain<ITrainerProbeGrain>(1).Where());
        Assert.Contains("\"trainer\"", error.Message);
        Assert.Contains(SiloRoles.MetadataKey, error.Message);
    }
}

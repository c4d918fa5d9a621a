using Apo.Abstractions.Placement;
using Apo.Hosting.Placement;
using Orleans.Runtime;
using Orleans.TestingHost;

namespace Apo.Hosting.Tests;

/// <summary>Two silos: index 0 declares only "trainer", index 1 declares "generator".</summary>
public sealed class TwoRoleClusterFixture : IAsyncLifetime
{
    public InProcessTestCluster Cluster { get; private set; } = null!;
    public SiloAddress TrainerSilo => SiloNamed("Silo_0");
    public SiloAddress GeneratorSilo => SiloNamed("Silo_1");

    private SiloAddress SiloNamed(string name) => Cluster.Silos.Single(s => s.Name == name).SiloAddress;

    public async Task InitializeAsync()
    {
        Cluster = await Clusters.StartAsync(2, (index, silo) => silo
            .UseApoRole(index == 0 ? SiloRoles.Trainer : SiloRoles.Generator)
            .AddApoPlacement());
        await Cluster.WaitForLivenessToStabilizeAsync();
        await Clusters.WaitForRoleMetadataAsync(Cluster, TimeSpan.FromSeconds(20));
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

public sealed class PlacementTests(TwoRoleClusterFixture fixture) : IClassFixture<TwoRoleClusterFixture>
{
    [Fact]
    public async Task Grains_marked_GeneratorSilosOnly_all_land_on_the_generator_silo()
    {
        Assert.Equal(2, fixture.Cluster.GetActiveSilos().Count());
        var places = await Task.WhenAll(Enumerable.Range(0, 60)
            .Select(i => fixture.Cluster.Client.GetGrain<IGeneratorProbeGrain>(i).Where()));

        Assert.All(places, p => Assert.Equal(fixture.GeneratorSilo, p));
    }

    [Fact]
    public async Task Without_the_attribute_grains_spread_over_both_silos()
    {
        // Control: shows the cluster really offers two silos, so the test above can fail.
        var places = await Task.WhenAll(Enumerable.Range(0, 60)
            .Select(i => fixture.Cluster.Client.GetGrain<IAnywhereProbeGrain>(i).Where()));

        Assert.Contains(fixture.TrainerSilo, places);
        Assert.Contains(fixture.GeneratorSilo, places);
    }
}

public sealed class PlacementWithoutGeneratorTests
{
    [Fact]
    public async Task Placement_fails_clearly_when_no_silo_has_the_generator_role()
    {
        await using var cluster = await Clusters.StartAsync(1, (_, silo) => silo.UseApoRole(SiloRoles.Trainer).AddApoPlacement());

        var error = await Assert.ThrowsAnyAsync<Exception>(() => cluster.Client.GetGrain<IGeneratorProbeGrain>(1).Where());
        Assert.Contains("\"generator\"", error.Message);
        Assert.Contains(SiloRoles.MetadataKey, error.Message);
    }

    [Fact]
    public void Unknown_roles_are_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => ApoPlacementExtensions.UseApoRole(null!, "trainer,cook"));
        Assert.Contains("trainer,cook", error.Message);
    }
}

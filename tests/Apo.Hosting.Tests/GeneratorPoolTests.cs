using Apo.Abstractions.Placement;
using Apo.Grains.Dispatch;
using Apo.Hosting.Placement;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;

namespace Apo.Hosting.Tests;

/// <summary>
/// The generator pool on a real three-silo cluster (one trainer, two generators): the pool is read from
/// membership with nothing configured, a key names one silo, and a silo that leaves leaves the pool.
/// </summary>
public sealed class GeneratorPoolTests
{
    [Fact]
    public async Task The_pool_is_the_live_generator_silos_each_key_lands_on_its_silo_and_a_departed_silo_leaves_it()
    {
        await using var cluster = await TrainerAndGenerators(2);
        var trainer = cluster.Silos.Single(s => s.Name == "Silo_0");
        var generators = cluster.Silos.Where(s => s.Name != "Silo_0").Select(s => s.SiloAddress).ToArray();
        var directory = trainer.ServiceProvider.GetRequiredService<IGeneratorDirectory>();

        var pool = await Eventually(() => directory.LiveGenerators(), p => p.Count == 2);
        Assert.Equal(generators.Select(g => g.ToParsableString()).Order(StringComparer.Ordinal), pool);

        // Each key activates on the silo it names, however many times it is called: one replica per silo.
        foreach (string key in pool)
        {
            var places = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => cluster.Client.GetGrain<ISiloBoundProbeGrain>(key).Where()));
            Assert.All(places, p => Assert.Equal(key, p.ToParsableString()));
        }

        // A silo that shuts down leaves the pool, and its key no longer activates anywhere else.
        var leaving = cluster.Silos.Single(s => s.SiloAddress.Equals(generators[1]));
        string leavingKey = leaving.SiloAddress.ToParsableString();
        await cluster.StopSiloAsync(leaving);
        pool = await Eventually(() => directory.LiveGenerators(), p => p.Count == 1);
        Assert.Equal([generators[0].ToParsableString()], pool);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => cluster.Client.GetGrain<ISiloBoundProbeGrain>(leavingKey).Where());
        Assert.Contains(leavingKey, error.ToString());
    }

    [Fact]
    public async Task A_key_that_is_not_a_silo_address_lands_on_a_generator_silo()
    {
        await using var cluster = await TrainerAndGenerators(1);
        var generator = cluster.Silos.Single(s => s.Name == "Silo_1").SiloAddress;
        var places = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => cluster.Client.GetGrain<ISiloBoundProbeGrain>(i.ToString()).Where()));
        Assert.All(places, p => Assert.Equal(generator, p));
    }

    /// <summary>Silo 0 a trainer, the others generators, every silo knowing every role.</summary>
    static async Task<Orleans.TestingHost.InProcessTestCluster> TrainerAndGenerators(int generators)
    {
        var cluster = await Clusters.StartAsync(1 + generators, (index, silo) => silo
            .UseApoRole(index == 0 ? SiloRoles.Trainer : SiloRoles.Generator)
            .AddApoPlacement());
        await cluster.WaitForLivenessToStabilizeAsync();
        await Clusters.WaitForRoleMetadataAsync(cluster, TimeSpan.FromSeconds(20));
        return cluster;
    }

    static async Task<IReadOnlyList<string>> Eventually(Func<IReadOnlyList<string>> read, Func<IReadOnlyList<string>, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var value = read();
            if (done(value) || DateTime.UtcNow > deadline) return value;
            await Task.Delay(100);
        }
    }
}

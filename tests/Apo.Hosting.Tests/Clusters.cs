using Apo.Abstractions.Placement;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.TestingHost;
using Microsoft.Extensions.DependencyInjection;

namespace Apo.Hosting.Tests;

/// <summary>In-process test clusters used by several test classes.</summary>
public static class Clusters
{
    /// <summary>Starts a cluster of <paramref name="silos"/> silos, each configured by <paramref name="configure"/>(index, builder).</summary>
    public static async Task<InProcessTestCluster> StartAsync(int silos, Action<int, ISiloBuilder> configure)
    {
        var builder = new InProcessTestClusterBuilder((short)silos);
        // The default assumes every silo can host every grain and skips placement filters.
        builder.Options.AssumeHomogenousSilosForTesting = false;
        builder.ConfigureSilo((options, silo) => configure(IndexOf(options.SiloName), silo));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    // The in-process TestingHost names silos "Silo_0", "Silo_1", ... in start order.
    private static int IndexOf(string siloName) =>
        siloName.StartsWith("Silo_", StringComparison.Ordinal)
            ? int.Parse(siloName["Silo_".Length..])
            : throw new InvalidOperationException($"unexpected test silo name {siloName}");

    /// <summary>Waits until every silo has learned every other silo's role metadata (fetched asynchronously after joining).</summary>
    public static async Task WaitForRoleMetadataAsync(InProcessTestCluster cluster, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var silos = cluster.Silos.ToArray();
        while (true)
        {
            var complete = silos.All(observer =>
            {
                var cache = observer.ServiceProvider.GetRequiredService<ISiloMetadataCache>();
                return silos.All(s => cache.GetSiloMetadata(s.SiloAddress).Metadata.ContainsKey(SiloRoles.MetadataKey));
            });
            if (complete)
                return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("silo role metadata did not propagate");
            await Task.Delay(50);
        }
    }
}

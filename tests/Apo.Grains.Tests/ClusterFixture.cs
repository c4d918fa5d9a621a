using Apo.Abstractions;
using Orleans.TestingHost;

namespace Apo.Grains.Tests;

/// <summary>One in-process silo with memory grain storage under the production storage name.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; } = new TestClusterBuilder(1)
        .AddSiloBuilderConfigurator<MemoryStorageSilo>()
        .Build();

    public Task InitializeAsync() => Cluster.DeployAsync();

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    private sealed class MemoryStorageSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddMemoryGrainStorage(ApoStorageNames.Grains);
    }
}

/// <summary>Every cluster test shares one silo (starting one costs seconds); each test uses its own prompt keys.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}

using Apo.Abstractions;
using Apo.Abstractions.Placement;
using Apo.Abstractions.Prompts;
using Apo.Grains.Runs;
using Apo.Grains.Runtime;
using Apo.Grains.Weights;
using Apo.Hosting.Placement;
using Apo.Hosting.Tests;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Apo.Grains.Tests.Generation;

/// <summary>
/// One in-process silo with everything the generator and run grains need: memory storage "apo" and
/// PubSubStore, memory streams "apo-streams" (also on the client, so tests can subscribe), a CPU
/// <see cref="TensorRuntime"/>, an <see cref="InProcessWeightStore"/>, in-memory reminders, and a
/// tiny reference model on disk.
/// </summary>
public sealed class GeneratorClusterFixture : IAsyncLifetime
{
    public TinyReference Model { get; } = new();
    public InProcessTestCluster Cluster { get; private set; } = null!;
    public IGrainFactory Grains => Cluster.Client;
    public IServiceProvider Silo => Cluster.Silos[0].ServiceProvider;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.AssumeHomogenousSilosForTesting = false; // exercise the generator placement filter
        builder.ConfigureSilo((_, silo) =>
        {
            // Runs are confined to the fixture's folder, as a cluster silo confines them to its runs root.
            ConfigureApoServices(silo, runsRoot: Model.Root);
            silo.UseApoRole($"{SiloRoles.Trainer},{SiloRoles.Generator}").AddApoPlacement();
            // A run's wake-up reminder every 2 s instead of every minute, so a test can watch it resume a run.
            silo.Services.Configure<RunOptions>(o =>
            {
                o.TrainerPollInterval = TimeSpan.FromMilliseconds(100);
                o.WakePeriod = TimeSpan.FromSeconds(2);
            });
            silo.Services.Configure<Orleans.Hosting.ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            silo.UseInMemoryReminderService();
        });
        builder.ConfigureClient(client => client.AddMemoryStreams(ApoStreams.ProviderName));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    /// <summary>Storage, streams, tensor runtime, weight store and runs root, as a generator silo has them.</summary>
    public static void ConfigureApoServices(ISiloBuilder silo, bool tensors = true, string? runsRoot = null)
    {
        silo.Services.AddSingleton(new RunConfinement(runsRoot ?? Path.GetTempPath()));
        silo.AddMemoryGrainStorage(ApoStorageNames.Grains);
        silo.AddMemoryGrainStorage("PubSubStore");
        silo.AddMemoryStreams(ApoStreams.ProviderName);
        if (!tensors) return;
        // Factories, so the silo's container disposes them; one torch thread: the test machine is shared.
        silo.Services.AddSingleton(_ => new TensorRuntime("cpu", torchThreads: 1));
        silo.Services.AddSingleton<IWeightStore>(_ => new InProcessWeightStore(keep: 2));
    }

    /// <summary>Initializes PromptGrains for these specs.</summary>
    public async Task Initialize(IEnumerable<PromptSpec> specs) =>
        await Task.WhenAll(specs.Select(s => Grains.GetGrain<IPromptGrain>(s.PromptId).Initialize(s)));

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        Model.Dispose();
    }
}

/// <summary>Generator and run tests share one silo; each test uses its own prompt and run ids.</summary>
[CollectionDefinition(Name)]
public sealed class GeneratorClusterCollection : ICollectionFixture<GeneratorClusterFixture>
{
    public const string Name = "generator-cluster";
}

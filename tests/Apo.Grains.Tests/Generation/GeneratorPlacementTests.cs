using System.Collections.Immutable;
using Apo.Abstractions.Generation;
using Apo.Abstractions.Placement;
using Apo.Abstractions.Prompts;
using Apo.Hosting.Placement;
using Apo.Hosting.Tests;

namespace Apo.Grains.Tests.Generation;

public sealed class GeneratorPlacementTests
{
    [Fact]
    public async Task Generators_activate_only_on_the_generator_silo_and_do_stage_one_work_there()
    {
        using var model = new TinyReference();
        // Silo 0 is a trainer without any tensor runtime: a generator placed there could not even activate.
        await using var cluster = await Clusters.StartAsync(2, (index, silo) =>
        {
            GeneratorClusterFixture.ConfigureApoServices(silo, tensors: index == 1);
            silo.UseApoRole(index == 0 ? SiloRoles.Trainer : SiloRoles.Generator).AddApoPlacement();
        });
        await cluster.WaitForLivenessToStabilizeAsync();
        await Clusters.WaitForRoleMetadataAsync(cluster, TimeSpan.FromSeconds(20));
        var generatorSilo = cluster.Silos.Single(s => s.Name == "Silo_1").SiloAddress;

        var prompts = model.Prompts(2);
        await Task.WhenAll(prompts.Select(p => cluster.Client.GetGrain<IPromptGrain>(p.PromptId).Initialize(p)));
        var unit = new StageOneWorkUnit("run-p", "u0", model.Reference, model.Provenance(n: 2), prompts.Select(p => p.PromptId).ToImmutableArray());
        var result = await cluster.Client.GetGrain<IGeneratorGrain>("0").RunStageOne(unit);
        await Task.WhenAll(Enumerable.Range(1, 12).Select(i => cluster.Client.GetGrain<IGeneratorGrain>(i.ToString()).GetLoadedWeights()));

        Assert.Equal(2, result.Recorded);
        var statistics = await cluster.Client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        var generators = statistics.Where(s => s.GrainType.Contains(nameof(Apo.Grains.Generation.GeneratorGrain), StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.Equal(13, generators.Count);
        Assert.All(generators, g => Assert.Equal(generatorSilo, g.SiloAddress));
        // The trainer silo was active and could have been chosen (Hosting's placement tests show unfiltered grains do land there).
        Assert.Equal(2, cluster.GetActiveSilos().Count());
    }
}

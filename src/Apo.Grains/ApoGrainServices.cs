using Apo.Grains.Runtime;
using Apo.Grains.Weights;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Apo.Grains;

/// <summary>What the grains need from a silo's container: its tensor runtime and its weight store.</summary>
public static class ApoGrainServices
{
    /// <summary>
    /// Registers the silo's <see cref="TensorRuntime"/> (one device thread per lane) and a weight store:
    /// in-process when <paramref name="weightDirectory"/> is null (one silo: versions stay in memory,
    /// no file copies), otherwise safetensors directories under it.
    /// </summary>
    /// <param name="generationBatchSize">Sequences per sampling batch of this silo's generators (and the trainer's held-out check).</param>
    /// <param name="generationKvTokens">KV budget of their rollout engine, in cached tokens (0 = none).</param>
    /// <param name="tensorLanes">1, or 2 to give generation a thread of its own beside training (see <see cref="TensorRuntime"/>).</param>
    public static IServiceCollection AddApoGrainServices(this IServiceCollection services, string device, int torchThreads,
        string? weightDirectory = null, int generationBatchSize = Generation.GeneratorOptions.DefaultBatchSize,
        string computeDtype = Apo.Model.Devices.ComputePrecision.Auto, long generationKvTokens = Apo.Model.Inference.SamplerSettings.DefaultKvTokens,
        int tensorLanes = 1) =>
        services.AddApoGrainServices(device, torchThreads,
            weightDirectory is null ? _ => new InProcessWeightStore() : _ => new DirectoryWeightStore(weightDirectory),
            generationBatchSize, computeDtype, generationKvTokens, tensorLanes);

    /// <summary>
    /// Registers the silo's <see cref="TensorRuntime"/> and the weight store <paramref name="weightStore"/> builds
    /// (e.g. the Azure Blob store Apo.Hosting selects from a silo config).
    /// </summary>
    public static IServiceCollection AddApoGrainServices(this IServiceCollection services, string device, int torchThreads,
        Func<IServiceProvider, IWeightStore> weightStore, int generationBatchSize = Generation.GeneratorOptions.DefaultBatchSize,
        string computeDtype = Apo.Model.Devices.ComputePrecision.Auto, long generationKvTokens = Apo.Model.Inference.SamplerSettings.DefaultKvTokens,
        int tensorLanes = 1)
    {
        ArgumentNullException.ThrowIfNull(weightStore);
        if (generationBatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(generationBatchSize), generationBatchSize, "must be positive");
        if (generationKvTokens < 0) throw new ArgumentOutOfRangeException(nameof(generationKvTokens), generationKvTokens, "must be >= 0");
        services.Configure<Generation.GeneratorOptions>(o =>
        {
            o.BatchSize = generationBatchSize;
            o.KvTokens = generationKvTokens;
        });
        services.AddSingleton(_ => new TensorRuntime(device, torchThreads, computeDtype, tensorLanes));
        services.AddSingleton(weightStore);
        // Unconfined unless the host registers the silo's runs root (Apo.Hosting does, from Silo.RunsRoot).
        services.TryAddSingleton(Runs.RunConfinement.None);
        return services;
    }
}

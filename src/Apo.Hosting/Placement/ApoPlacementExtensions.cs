using Apo.Abstractions.Placement;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.Placement;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Apo.Hosting.Placement;

/// <summary>Silo roles and the placement filters that read them.</summary>
public static class ApoPlacementExtensions
{
    /// <summary>
    /// Registers the directors of <see cref="GeneratorSilosOnlyAttribute"/>, <see cref="TrainerSilosOnlyAttribute"/> and
    /// <see cref="SiloBoundAttribute"/>, and the generator pool read from membership.
    /// Every silo of the cluster needs them, because any silo may be the one that places a grain.
    /// </summary>
    public static ISiloBuilder AddApoPlacement(this ISiloBuilder builder)
    {
        builder.Services.AddPlacementFilter<GeneratorSilosOnlyFilterStrategy, GeneratorSilosOnlyFilterDirector>(ServiceLifetime.Transient);
        builder.Services.AddPlacementFilter<TrainerSilosOnlyFilterStrategy, TrainerSilosOnlyFilterDirector>(ServiceLifetime.Transient);
        builder.Services.AddPlacementDirector<SiloBoundPlacement, SiloBoundPlacementDirector>();
        // The generator pool of the runs and trainers this silo hosts: read from membership, nothing to configure.
        builder.Services.AddSingleton<Apo.Grains.Dispatch.IGeneratorDirectory, MembershipGeneratorDirectory>();
        return builder;
    }

    /// <summary>
    /// Publishes the silo's roles (e.g. <c>"trainer,generator"</c>) as silo metadata under
    /// <see cref="SiloRoles.MetadataKey"/>. Unknown role names are rejected.
    /// </summary>
    public static ISiloBuilder UseApoRole(this ISiloBuilder builder, string roles)
    {
        var parsed = SiloRoles.Parse(roles);
        var unknown = parsed.Where(r => !SiloRoles.All.Contains(r)).ToArray();
        if (parsed.Length == 0 || unknown.Length > 0)
            throw new ArgumentException(
                $"Silo role \"{roles}\" is not valid: use a comma-separated list of {string.Join(", ", SiloRoles.All)}", nameof(roles));
        return builder.UseSiloMetadata(new Dictionary<string, string> { [SiloRoles.MetadataKey] = string.Join(",", parsed) });
    }
}

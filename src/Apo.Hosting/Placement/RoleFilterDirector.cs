using Apo.Abstractions.Placement;
using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;

namespace Apo.Hosting.Placement;

/// <summary>
/// Keeps only silos whose <see cref="SiloRoles.MetadataKey"/> metadata contains <see cref="Role"/>. Throws
/// when none is left, naming the role and every candidate's roles, so a grain is never placed on a silo
/// without the role (Orleans would otherwise report a generic "no compatible silo" error).
/// </summary>
public abstract class RoleFilterDirector(ISiloMetadataCache metadata) : IPlacementFilterDirector
{
    /// <summary>The role a silo must declare to host the grain.</summary>
    protected abstract string Role { get; }

    /// <inheritdoc />
    public IEnumerable<SiloAddress> Filter(PlacementFilterStrategy filterStrategy, PlacementTarget target, IEnumerable<SiloAddress> silos)
    {
        var candidates = silos.Select(silo => (Silo: silo, Roles: RolesOf(silo))).ToArray();
        var kept = candidates
            .Where(c => SiloRoles.Contains(c.Roles, Role))
            .Select(c => c.Silo)
            .ToArray();
        if (kept.Length == 0)
            throw new OrleansException(
                $"Cannot place grain {target.GrainIdentity}: it may run only on silos with role \"{Role}\" " +
                $"(silo metadata \"{SiloRoles.MetadataKey}\"), and no active compatible silo declares it " +
                $"({string.Join("; ", candidates.Select(c => $"{c.Silo}: {c.Roles ?? "no role"}"))}). " +
                $"Start a silo whose configuration has Role containing \"{Role}\".");
        return kept;
    }

    private string? RolesOf(SiloAddress silo) =>
        metadata.GetSiloMetadata(silo).Metadata.GetValueOrDefault(SiloRoles.MetadataKey);
}

/// <summary>The director of <see cref="GeneratorSilosOnlyAttribute"/>: silos with role <c>generator</c>.</summary>
public sealed class GeneratorSilosOnlyFilterDirector(ISiloMetadataCache metadata) : RoleFilterDirector(metadata)
{
    /// <inheritdoc />
    protected override string Role => SiloRoles.Generator;
}

/// <summary>The director of <see cref="TrainerSilosOnlyAttribute"/>: silos with role <c>trainer</c>.</summary>
public sealed class TrainerSilosOnlyFilterDirector(ISiloMetadataCache metadata) : RoleFilterDirector(metadata)
{
    /// <inheritdoc />
    protected override string Role => SiloRoles.Trainer;
}

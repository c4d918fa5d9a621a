using Apo.Abstractions.Placement;
using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;

namespace Apo.Hosting.Placement;

/// <summary>
/// Keeps only silos whose <see cref="SiloRoles.MetadataKey"/> metadata contains
/// <see cref="SiloRoles.Generator"/>. Throws when none is left, so a generator is never placed on a
/// silo without the role (Orleans would otherwise report a generic "no compatible silo" error).
/// </summary>
public sealed class GeneratorSilosOnlyFilterDirector(ISiloMetadataCache metadata) : IPlacementFilterDirector
{
    /// <inheritdoc />
    public IEnumerable<SiloAddress> Filter(PlacementFilterStrategy filterStrategy, PlacementTarget target, IEnumerable<SiloAddress> silos)
    {
        var candidates = silos.Select(silo => (Silo: silo, Roles: RolesOf(silo))).ToArray();
        var generators = candidates
            .Where(c => SiloRoles.Contains(c.Roles, SiloRoles.Generator))
            .Select(c => c.Silo)
            .ToArray();
        if (generators.Length == 0)
            throw new OrleansException(
                $"Cannot place grain {target.GrainIdentity}: it may run only on silos with role \"{SiloRoles.Generator}\" " +
                $"(silo metadata \"{SiloRoles.MetadataKey}\"), and no active compatible silo declares it " +
                $"({string.Join("; ", candidates.Select(c => $"{c.Silo}: {c.Roles ?? "no role"}"))}). " +
                $"Start a silo whose configuration has Role containing \"{SiloRoles.Generator}\".");
        return generators;
    }

    private string? RolesOf(SiloAddress silo) =>
        metadata.GetSiloMetadata(silo).Metadata.GetValueOrDefault(SiloRoles.MetadataKey);
}

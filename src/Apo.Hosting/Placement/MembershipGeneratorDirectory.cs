using System.Collections.Concurrent;
using Apo.Abstractions.Placement;
using Apo.Grains.Dispatch;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Apo.Hosting.Placement;

/// <summary>
/// The generator pool read from cluster membership: every active silo whose metadata declares the generator
/// role, keyed by its address. Nothing to configure: a silo that joins appears once membership and its
/// metadata reach this silo, one that leaves or is declared dead disappears.
/// </summary>
/// <remarks>
/// A silo's roles never change (a restarted silo has a new address), so a role once seen is remembered: the
/// metadata cache may briefly answer nothing for a known silo while it refreshes after a membership change,
/// and that must not look like the silo leaving the pool.
/// </remarks>
public sealed class MembershipGeneratorDirectory(IClusterMembershipService membership, ISiloMetadataCache metadata) : IGeneratorDirectory
{
    readonly ConcurrentDictionary<SiloAddress, bool> isGenerator = new();

    /// <inheritdoc />
    public IReadOnlyList<string> LiveGenerators() =>
        membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && IsGenerator(m.SiloAddress))
            .Select(m => m.SiloAddress.ToParsableString())
            .Order(StringComparer.Ordinal)
            .ToArray();

    bool IsGenerator(SiloAddress silo)
    {
        if (isGenerator.TryGetValue(silo, out bool known)) return known;
        if (metadata.GetSiloMetadata(silo).Metadata.GetValueOrDefault(SiloRoles.MetadataKey) is not { } roles) return false; // not known yet
        return isGenerator[silo] = SiloRoles.Contains(roles, SiloRoles.Generator);
    }
}

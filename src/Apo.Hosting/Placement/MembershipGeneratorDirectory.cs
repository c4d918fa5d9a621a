using Apo.Abstractions.Placement;
using Apo.Grains.Dispatch;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Apo.Hosting.Placement;

/// <summary>
/// The generator pool read from cluster membership: every active silo whose metadata declares the generator
/// role, keyed by its address. Nothing to configure: a silo that joins appears at its next membership
/// update, one that leaves or is declared dead disappears.
/// </summary>
public sealed class MembershipGeneratorDirectory(IClusterMembershipService membership, ISiloMetadataCache metadata) : IGeneratorDirectory
{
    /// <inheritdoc />
    public IReadOnlyList<string> LiveGenerators() =>
        membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active)
            .Where(m => SiloRoles.Contains(metadata.GetSiloMetadata(m.SiloAddress).Metadata.GetValueOrDefault(SiloRoles.MetadataKey), SiloRoles.Generator))
            .Select(m => m.SiloAddress.ToParsableString())
            .Order(StringComparer.Ordinal)
            .ToArray();
}

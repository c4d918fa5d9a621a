using Apo.Abstractions.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Apo.Hosting.Placement;

/// <summary>
/// Places a <see cref="SiloBoundAttribute"/> grain on the silo its key names. The compatible silos have already
/// passed the grain's placement filters (e.g. the generator role), so a key naming a silo outside them is an
/// error: that silo left, died or lacks the role, and activating the grain anywhere else would put two replicas
/// on one silo.
/// </summary>
public sealed class SiloBoundPlacementDirector : IPlacementDirector
{
    /// <inheritdoc />
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var compatible = context.GetCompatibleSilos(target);
        if (compatible.Length == 0)
            throw new OrleansException($"Cannot place grain {target.GrainIdentity}: no compatible silo is active");
        string key = target.GrainIdentity.Key.ToString() ?? "";
        if (!LooksLikeSiloAddress(key))
            return Task.FromResult(compatible.OrderBy(s => s.ToParsableString(), StringComparer.Ordinal)
                .ElementAt((int)(StableHash(key) % (uint)compatible.Length)));
        foreach (var silo in compatible)
            if (silo.ToParsableString() == key) return Task.FromResult(silo);
        throw new OrleansException($"Cannot place grain {target.GrainIdentity}: silo {key} is not an active compatible silo " +
            $"(it left or died); the active ones are {string.Join(", ", compatible.Select(s => s.ToParsableString()))}");
    }

    /// <summary>"ip:port@generation", the form of <c>SiloAddress.ToParsableString()</c>.</summary>
    static bool LooksLikeSiloAddress(string key) => key.Contains('@') && key.Contains(':');

    static uint StableHash(string key)
    {
        uint hash = 2166136261;
        foreach (char c in key) hash = (hash ^ c) * 16777619;
        return hash;
    }
}

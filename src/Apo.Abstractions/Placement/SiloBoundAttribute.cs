using Orleans.Placement;
using Orleans.Runtime;

namespace Apo.Abstractions.Placement;

/// <summary>
/// Activates a grain on the silo its string key names (<c>SiloAddress.ToParsableString()</c>), so a pool can
/// keep exactly one activation per silo. A key naming a silo that is not among the compatible ones (it left or
/// died) fails the activation, and the caller hands the work elsewhere; any other key goes to a compatible silo
/// chosen by the key's hash. The silo must register the director (Apo.Hosting: <c>AddApoPlacement()</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SiloBoundAttribute() : PlacementAttribute(SiloBoundPlacement.Instance);

/// <summary>The placement strategy behind <see cref="SiloBoundAttribute"/>.</summary>
[GenerateSerializer, Immutable, Alias("apo.SiloBoundPlacement")]
public sealed class SiloBoundPlacement : PlacementStrategy
{
    /// <summary>The one instance (the strategy has no settings).</summary>
    public static SiloBoundPlacement Instance { get; } = new();
}

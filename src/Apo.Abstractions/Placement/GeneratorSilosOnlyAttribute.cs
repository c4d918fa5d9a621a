using Orleans.Placement;

namespace Apo.Abstractions.Placement;

/// <summary>
/// Places activations of the grain class only on silos whose <see cref="SiloRoles.MetadataKey"/>
/// metadata contains <see cref="SiloRoles.Generator"/>. When no such silo is active, activation fails
/// with an error instead of falling back to another silo. The silo must register the matching director
/// (Apo.Hosting: <c>AddApoPlacement()</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class GeneratorSilosOnlyAttribute : PlacementFilterAttribute
{
    /// <summary>Creates the attribute; <paramref name="order"/> matters only when several filters apply.</summary>
    public GeneratorSilosOnlyAttribute(int order = 0)
        : base(new GeneratorSilosOnlyFilterStrategy(order))
    {
    }
}

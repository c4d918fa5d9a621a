using Orleans.Placement;

namespace Apo.Abstractions.Placement;

/// <summary>
/// Places activations of the grain class only on silos whose <see cref="SiloRoles.MetadataKey"/>
/// metadata contains <see cref="SiloRoles.Trainer"/> (the run's coordinator and its trainer, which need the
/// trainer's device and the run directory). When no such silo is active, activation fails with an error
/// instead of falling back to a generator silo. The silo must register the matching director
/// (Apo.Hosting: <c>AddApoPlacement()</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class TrainerSilosOnlyAttribute : PlacementFilterAttribute
{
    /// <summary>Creates the attribute; <paramref name="order"/> matters only when several filters apply.</summary>
    public TrainerSilosOnlyAttribute(int order = 0)
        : base(new TrainerSilosOnlyFilterStrategy(order))
    {
    }
}

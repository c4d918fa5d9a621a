using Orleans.Placement;

namespace Apo.Abstractions.Placement;

/// <summary>
/// The placement filter strategy behind <see cref="TrainerSilosOnlyAttribute"/>. Orleans resolves it by
/// its type name from the silo's services, so its director must be registered on every silo.
/// </summary>
public sealed class TrainerSilosOnlyFilterStrategy : PlacementFilterStrategy
{
    /// <summary>Used by dependency injection; the order is then read from the grain's properties.</summary>
    public TrainerSilosOnlyFilterStrategy() : this(0)
    {
    }

    /// <summary>Creates the strategy with an explicit filter order.</summary>
    public TrainerSilosOnlyFilterStrategy(int order) : base(order)
    {
    }
}

namespace Apo.Hosting;

/// <summary>Names of the grain storage and stream providers every Apo silo registers.</summary>
public static class ApoStorage
{
    /// <summary>The grain storage provider name grains use in <c>[PersistentState("...", ApoStorage.Name)]</c>.</summary>
    public const string Name = "apo";

    /// <summary>
    /// A grain storage for states known to be large (Azure Blob in a cluster; the same store as
    /// <see cref="Name"/> elsewhere). <see cref="Name"/> already moves states that outgrow a table entity to
    /// Blob by itself, so grains rarely need this one.
    /// </summary>
    public const string LargeName = "apo-large";

    /// <summary>The stream provider name (rollouts travel on it).</summary>
    public const string StreamProviderName = "apo-streams";

    /// <summary>The storage the stream pub/sub keeps its subscriptions in (name fixed by Orleans).</summary>
    public const string PubSubStoreName = "PubSubStore";
}

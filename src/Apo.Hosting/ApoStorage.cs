namespace Apo.Hosting;

/// <summary>Names of the grain storage and stream providers every Apo silo registers.</summary>
public static class ApoStorage
{
    /// <summary>The grain storage provider name grains use in <c>[PersistentState("...", ApoStorage.Name)]</c>.</summary>
    public const string Name = "apo";

    /// <summary>The stream provider name (rollouts travel on it).</summary>
    public const string StreamProviderName = "apo-streams";

    /// <summary>The storage the stream pub/sub keeps its subscriptions in (name fixed by Orleans).</summary>
    public const string PubSubStoreName = "PubSubStore";
}

namespace Apo.Abstractions;

/// <summary>
/// Names shared by the grains and the host for Orleans streams. The host registers the stream
/// provider under <see cref="ProviderName"/>; every stream id is (namespace, run id).
/// </summary>
public static class ApoStreams
{
    /// <summary>The one stream provider of the system (memory streams embedded, Azure queues in a cluster).</summary>
    public const string ProviderName = "apo-streams";

    /// <summary>Newly published weight versions, so generators can prefetch before the next batch.</summary>
    public const string WeightNamespace = "apo-weights";

    /// <summary>Progress and metrics of a run (stage-1 counts, stage-2 steps), for the CLI and dashboards.</summary>
    public const string ProgressNamespace = "apo-progress";
}

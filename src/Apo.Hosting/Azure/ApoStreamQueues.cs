namespace Apo.Hosting.Azure;

/// <summary>The Azure queues behind the stream provider: the same list on every silo and client of a cluster.</summary>
public static class ApoStreamQueues
{
    /// <summary>
    /// <paramref name="count"/> queue names derived from the service and cluster ids, so two clusters on
    /// one storage account never consume each other's rollouts.
    /// </summary>
    public static List<string> Names(string serviceId, string clusterId, int count) =>
        Enumerable.Range(0, count)
            .Select(i => AzureNames.ContainerOrQueue(Shorten(serviceId), Shorten(clusterId), "streams", i.ToString()))
            .ToList();

    // Keeps the index inside the 63-character limit whatever the ids' length.
    private static string Shorten(string id) => id.Length <= 24 ? id : id[..24];
}

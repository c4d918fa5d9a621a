using System.Net;

namespace Apo.Hosting.Azure;

/// <summary>Which IP address a cluster silo advertises to the others.</summary>
public static class SiloEndpoint
{
    /// <summary>The environment variable Kubernetes sets to the pod's IP (downward API).</summary>
    public const string PodIpVariable = "POD_IP";

    /// <summary>
    /// <paramref name="configured"/> when not empty, else <c>POD_IP</c> when set, else null (Orleans then
    /// picks the machine's first non-loopback address). A malformed <c>POD_IP</c> is an error naming it.
    /// </summary>
    public static IPAddress? Advertised(string? configured, string source)
    {
        if (!string.IsNullOrWhiteSpace(configured))
            return IPAddress.Parse(configured);  // validated with the options
        var pod = Environment.GetEnvironmentVariable(PodIpVariable);
        if (string.IsNullOrWhiteSpace(pod))
            return null;
        return IPAddress.TryParse(pod, out var address)
            ? address
            : throw new InvalidDataException($"{source}: environment variable {PodIpVariable} = \"{pod}\" is not an IP address");
    }

    /// <summary>
    /// Loopback advertised addresses listen on loopback only (nothing exposed to the network); any other
    /// address listens on all interfaces, as a pod must for its service and probes.
    /// </summary>
    public static IPAddress ListenAddress(IPAddress advertised) =>
        IPAddress.IsLoopback(advertised) ? advertised : IPAddress.Any;
}

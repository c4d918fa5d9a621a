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
    /// The address a cluster silo advertises and listens on: <see cref="Advertised"/>, else this machine's first
    /// up, non-loopback IPv4 address (as Orleans would pick), else loopback. A silo listens on that one address
    /// only, never on every interface: in a pod, the pod IP is where silos, clients and probes reach it.
    /// </summary>
    public static IPAddress Resolve(string? configured, string source) => Advertised(configured, source) ?? MachineAddress() ?? IPAddress.Loopback;

    /// <summary>
    /// The one address a silo of <paramref name="options"/> listens on, for Orleans and for its health endpoint alike:
    /// <see cref="Resolve"/> with Azure clustering, loopback for a localhost silo.
    /// </summary>
    public static IPAddress ListenAddress(Configuration.ApoSiloOptions options) =>
        options.Clustering.Kind == Configuration.ApoKinds.Azure ? Resolve(options.AdvertisedIP, options.Source) : IPAddress.Loopback;

    static IPAddress? MachineAddress() =>
        System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == System.Net.NetworkInformation.OperationalStatus.Up
                        && n.NetworkInterfaceType != System.Net.NetworkInformation.NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
}

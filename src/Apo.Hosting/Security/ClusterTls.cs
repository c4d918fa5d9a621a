using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Apo.Hosting.Configuration;
using Orleans.Connections.Security;
using Orleans.Hosting;

namespace Apo.Hosting.Security;

/// <summary>
/// Orleans' TLS (Microsoft.Orleans.Connections.Security) with the cluster's own CA: silo-to-silo and
/// client-to-gateway connections are mutually authenticated, and a peer is accepted only if its certificate
/// chains to that CA. A pod that can reach a silo port but holds no such certificate cannot join or call grains.
/// </summary>
public static class ClusterTls
{
    /// <summary>TLS on every connection of a silo; silos ask for and require the other side's certificate, clients included.</summary>
    public static ISiloBuilder UseClusterTls(this ISiloBuilder builder, ApoTlsOptions tls, string source)
    {
        var (certificate, authority) = ApoTlsFiles.Load(tls, source);
        return builder.UseTls(certificate, options =>
        {
            options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
            options.RemoteCertificateValidation = IssuedBy(authority);
        });
    }

    /// <summary>TLS to the gateways: the client presents its certificate and accepts only silos of the same CA.</summary>
    public static IClientBuilder UseClusterTls(this IClientBuilder builder, ApoTlsOptions tls, string source)
    {
        var (certificate, authority) = ApoTlsFiles.Load(tls, source);
        return builder.UseTls(certificate, options =>
        {
            options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            options.RemoteCertificateValidation = IssuedBy(authority);
        });
    }

    /// <summary>
    /// Accepts a certificate that chains to <paramref name="authority"/> alone (the system's roots are not trusted),
    /// is within its validity period, and is not merely the CA itself. Host names are not checked: silos are
    /// addressed by pod IP, and holding a certificate of the cluster's CA is what makes a member.
    /// </summary>
    public static RemoteCertificateValidator IssuedBy(X509Certificate2 authority) => (certificate, _, _) =>
    {
        if (certificate is null) return false;
        if (certificate.Thumbprint == authority.Thumbprint) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;  // a private CA publishes no CRL
        return chain.Build(certificate);
    };
}

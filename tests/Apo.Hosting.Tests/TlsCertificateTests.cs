using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Apo.Hosting.Configuration;
using Apo.Hosting.Security;

namespace Apo.Hosting.Tests;

/// <summary>Which certificates a cluster member accepts, and the files `apo certs` writes.</summary>
public sealed class TlsCertificateTests
{
    [Fact]
    public void A_certificate_of_the_cluster_CA_is_accepted_and_a_strangers_the_CA_itself_or_none_are_refused()
    {
        using var authority = DevelopmentCertificates.CreateAuthority("cluster CA", TimeSpan.FromHours(1));
        using var member = DevelopmentCertificates.Issue(authority, "apo-silo", TimeSpan.FromHours(1));
        using var strangerCa = DevelopmentCertificates.CreateAuthority("cluster CA", TimeSpan.FromHours(1)); // same name, other key
        using var stranger = DevelopmentCertificates.Issue(strangerCa, "apo-silo", TimeSpan.FromHours(1));
        var accepts = ClusterTls.IssuedBy(X509CertificateLoader.LoadCertificate(authority.RawData));

        Assert.True(accepts(X509CertificateLoader.LoadCertificate(member.RawData), null!, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.False(accepts(X509CertificateLoader.LoadCertificate(stranger.RawData), null!, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.False(accepts(X509CertificateLoader.LoadCertificate(authority.RawData), null!, SslPolicyErrors.None));
        Assert.False(accepts(null!, null!, SslPolicyErrors.RemoteCertificateNotAvailable));
    }

    [Fact]
    public void The_written_set_loads_back_with_a_private_key_and_the_key_is_readable_by_its_owner_only()
    {
        string folder = TestCertificates.Create("cluster CA");
        var tls = new ApoTlsOptions { Enabled = true, Directory = folder };
        var (certificate, authority) = ApoTlsFiles.Load(tls, "test");
        Assert.True(certificate.HasPrivateKey);
        Assert.True(ClusterTls.IssuedBy(authority)(certificate, null!, SslPolicyErrors.None));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(tls.KeyFile));
        Assert.Contains(certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>(),
            oid => oid.Value == "1.3.6.1.5.5.7.3.2");  // client authentication: silos connect to each other as clients too
    }

    [Fact]
    public void A_key_that_does_not_belong_to_the_certificate_is_refused_naming_the_field()
    {
        string a = TestCertificates.Create("A"), b = TestCertificates.Create("B");
        File.Copy(Path.Combine(b, "tls.key"), Path.Combine(a, "tls.key"), overwrite: true);
        var error = Assert.Throws<InvalidDataException>(() => ApoTlsFiles.Load(new ApoTlsOptions { Enabled = true, Directory = a }, "cfg.json"));
        Assert.StartsWith($"cfg.json: field \"Tls:Directory\": {Path.Combine(a, "tls.crt")} and {Path.Combine(a, "tls.key")}: not a PEM certificate and its matching private key", error.Message);
    }
}

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Apo.Common.IO;

namespace Apo.Hosting.Security;

/// <summary>
/// A throw-away certificate authority and one certificate it issues, for a development cluster or a test
/// (`apo certs`). Production clusters take theirs from their own CA (for example cert-manager).
/// </summary>
public static class DevelopmentCertificates
{
    /// <summary>The files <see cref="Write"/> produces, named as a Kubernetes TLS Secret mounts them.</summary>
    public const string CertificateFileName = "tls.crt", KeyFileName = "tls.key", CaFileName = "ca.crt";

    /// <summary>A self-signed CA (ECDSA P-256) valid for <paramref name="validity"/>.</summary>
    public static X509Certificate2 CreateAuthority(string name, TimeSpan validity)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        return request.CreateSelfSigned(now, now + validity);
    }

    /// <summary>A certificate for both ends of a connection (server and client authentication) issued by <paramref name="authority"/>.</summary>
    public static X509Certificate2 Issue(X509Certificate2 authority, string name, TimeSpan validity)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));  // server and client authentication
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(name);
        request.CertificateExtensions.Add(names.Build());
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        var notAfter = now + validity;
        if (notAfter > authority.NotAfter) notAfter = authority.NotAfter;
        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var issued = request.Create(authority, now, notAfter, serial);
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>
    /// Writes <c>ca.crt</c>, <c>tls.crt</c> and <c>tls.key</c> (mode 0600) into <paramref name="directory"/>, each
    /// atomically (staged, then renamed); the CA's private key is not kept. Returns the three paths.
    /// </summary>
    public static (string Certificate, string Key, string Authority) Write(string directory, X509Certificate2 authority, X509Certificate2 issued)
    {
        Directory.CreateDirectory(directory);
        string ca = Path.Combine(directory, CaFileName), crt = Path.Combine(directory, CertificateFileName), key = Path.Combine(directory, KeyFileName);
        using var privateKey = issued.GetECDsaPrivateKey() ?? throw new InvalidOperationException("the issued certificate has no ECDSA private key");
        AtomicFile.WriteAllText(key, privateKey.ExportPkcs8PrivateKeyPem() + "\n", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        AtomicFile.WriteAllText(crt, issued.ExportCertificatePem() + "\n");
        AtomicFile.WriteAllText(ca, authority.ExportCertificatePem() + "\n");
        return (crt, key, ca);
    }
}

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Apo.Hosting.Configuration;

namespace Apo.Hosting.Security;

/// <summary>Checks and reads the PEM files of <see cref="ApoTlsOptions"/>.</summary>
public static class ApoTlsFiles
{
    internal static void Validate(ApoTlsOptions? tls, ApoFieldCheck check)
    {
        if (tls is null || !tls.Enabled) return;
        check.Require(!string.IsNullOrWhiteSpace(tls.Directory), "Tls:Directory", tls.Directory,
            "must name the folder of tls.crt, tls.key and ca.crt when Tls:Enabled is true");
    }

    /// <summary>
    /// This process's certificate with its private key, and the cluster CA. Read when the host is built, so a
    /// config file can be checked on a machine without the Secret; errors name the field and the file.
    /// </summary>
    public static (X509Certificate2 Certificate, X509Certificate2 Authority) Load(ApoTlsOptions tls, string source)
    {
        foreach (string file in new[] { tls.CertificateFile, tls.KeyFile, tls.CaFile })
            if (!File.Exists(file))
                throw new InvalidDataException($"{source}: field \"Tls:Directory\" = \"{tls.Directory}\": {file} does not exist " +
                    "(mount the cluster's TLS Secret there, or make a development set with `apo certs --out DIR`)");
        X509Certificate2 certificate;
        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(tls.CertificateFile, tls.KeyFile);
            // Re-imported as PKCS#12 so the key is usable by SslStream on every platform (PEM keys are ephemeral).
            certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new InvalidDataException($"{source}: field \"Tls:Directory\": {tls.CertificateFile} and {tls.KeyFile}: " +
                $"not a PEM certificate and its matching private key: {e.Message}", e);
        }
        if (certificate.NotAfter < DateTime.Now)
            throw new InvalidDataException($"{source}: field \"Tls:Directory\": {tls.CertificateFile}: the certificate expired on {certificate.NotAfter:u}");
        X509Certificate2 authority;
        try
        {
            authority = X509CertificateLoader.LoadCertificateFromFile(tls.CaFile);
        }
        catch (CryptographicException e)
        {
            throw new InvalidDataException($"{source}: field \"Tls:Directory\": {tls.CaFile}: not a PEM certificate: {e.Message}", e);
        }
        return (certificate, authority);
    }
}

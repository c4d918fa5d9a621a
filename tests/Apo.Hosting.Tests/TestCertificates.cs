using Apo.Hosting.Security;

namespace Apo.Hosting.Tests;

/// <summary>TLS folders for tests: one CA the cluster trusts (shared by the process), and any number of strangers.</summary>
public static class TestCertificates
{
    static readonly Lazy<string> trusted = new(() => Create("apo test CA"));

    /// <summary>A folder of ca.crt, tls.crt and tls.key issued by the test cluster's CA.</summary>
    public static string Trusted => trusted.Value;

    /// <summary>A new folder with a CA of its own and a certificate it issued (mode 0600 key).</summary>
    public static string Create(string authorityName)
    {
        string folder = Path.Combine(Path.GetTempPath(), "apo-hosting-tests", "tls-" + Guid.NewGuid().ToString("N"));
        using var authority = DevelopmentCertificates.CreateAuthority(authorityName, TimeSpan.FromHours(2));
        using var issued = DevelopmentCertificates.Issue(authority, "apo-silo", TimeSpan.FromHours(2));
        DevelopmentCertificates.Write(folder, authority, issued);
        return folder;
    }
}

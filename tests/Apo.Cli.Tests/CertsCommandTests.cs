using Apo.Hosting.Configuration;
using Apo.Hosting.Security;

namespace Apo.Cli.Tests;

/// <summary>`apo certs`: a development CA and certificate, as a cluster's TLS folder holds them.</summary>
public class CertsCommandTests
{
    [Fact]
    public void Writes_a_loadable_set_with_a_private_key_and_refuses_to_overwrite_it()
    {
        using var dir = new TempDirectory();
        string folder = dir.File("tls");
        var made = ApoProcess.Run("certs", "--out", folder, "--days", "30");
        Assert.True(made.ExitCode == 0, made.StdErr);
        Assert.StartsWith($"apo certs: wrote {Path.Combine(folder, "ca.crt")}, {Path.Combine(folder, "tls.crt")} and {Path.Combine(folder, "tls.key")}", made.StdOut);

        var tls = new ApoTlsOptions { Enabled = true, Directory = folder };
        var (certificate, authority) = ApoTlsFiles.Load(tls, "test");
        Assert.True(certificate.HasPrivateKey);
        Assert.True(ClusterTls.IssuedBy(authority)(certificate, null!, System.Net.Security.SslPolicyErrors.None));
        Assert.InRange((certificate.NotAfter - DateTime.Now).TotalDays, 29, 30.1);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(tls.KeyFile));

        string key = File.ReadAllText(tls.KeyFile);
        var again = ApoProcess.Run("certs", "--out", folder);
        Assert.Equal(2, again.ExitCode);
        Assert.Equal($"apo: error: --out: {folder} already holds a tls.key; refusing to overwrite it (choose another folder)", again.StdErr.Trim());
        Assert.Equal(key, File.ReadAllText(tls.KeyFile));

        var bad = ApoProcess.Run("certs", "--out", dir.File("other"), "--days", "0");
        Assert.Equal(2, bad.ExitCode);
        Assert.Equal("apo: error: --days: 0 must be in 1..3650", bad.StdErr.Trim());
        Assert.False(Directory.Exists(dir.File("other")));
    }
}

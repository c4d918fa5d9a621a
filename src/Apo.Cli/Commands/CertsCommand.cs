using System.CommandLine;
using Apo.Hosting.Security;

namespace Apo.Cli.Commands;

/// <summary>
/// `apo certs`: a development CA and one certificate it issues, as the three files a cluster's TLS folder
/// (<c>Silo.Tls.Directory</c>, the Kubernetes Secret <c>apo-tls</c>) holds. Every silo and client of a cluster
/// may share the set. For production, issue them from your own CA (cert-manager).
/// </summary>
static class CertsCommand
{
    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder to write ca.crt, tls.crt and tls.key (mode 0600) into.", Required = true };
        var days = new Option<int>("--days") { Description = "Validity in days.", DefaultValueFactory = _ => 365 };
        var name = new Option<string>("--name") { Description = "Subject name of the certificate.", DefaultValueFactory = _ => "apo-silo" };
        var command = new Command("certs", "Write a development CA and a certificate for mutual TLS between silos and clients.") { output, days, name };
        command.SetAction(parse =>
        {
            int validity = parse.GetValue(days);
            if (validity is < 1 or > 3650) throw new UsageException($"--days: {validity} must be in 1..3650");
            string subject = parse.GetValue(name)!;
            if (string.IsNullOrWhiteSpace(subject)) throw new UsageException("--name: must not be empty");
            string folder = parse.GetValue(output)!.FullName;
            if (File.Exists(Path.Combine(folder, DevelopmentCertificates.KeyFileName)))
                throw new UsageException($"--out: {folder} already holds a {DevelopmentCertificates.KeyFileName}; refusing to overwrite it (choose another folder)");
            using var authority = DevelopmentCertificates.CreateAuthority("apo development CA", TimeSpan.FromDays(validity));
            using var issued = DevelopmentCertificates.Issue(authority, subject, TimeSpan.FromDays(validity));
            var (certificate, key, ca) = DevelopmentCertificates.Write(folder, authority, issued);
            Console.WriteLine($"apo certs: wrote {ca}, {certificate} and {key} (valid until {issued.NotAfter:yyyy-MM-dd}); " +
                "point Silo.Tls.Directory / Client.Tls.Directory at the folder, or: " +
                $"kubectl -n apo create secret generic apo-tls --from-file={ca} --from-file={certificate} --from-file={key}");
            return 0;
        });
        return command;
    }
}

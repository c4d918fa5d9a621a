using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Apo.Hosting.Configuration;
using Orleans.Configuration;

namespace Apo.Hosting.Tests;

/// <summary>Mutual TLS between silos and from clients, as the cluster configs turn it on.</summary>
public sealed partial class AzureClusterTests
{
    [Fact]
    public async Task A_silo_without_a_certificate_of_the_cluster_CA_cannot_join_and_one_with_it_can()
    {
        var trainer = await StartSilo(Silo("cluster-trainer.json"));

        // A stranger: the same cluster ids and storage, a valid certificate, but from another CA. Its join attempt
        // must fail (the members refuse its handshakes and it refuses theirs); a short join limit keeps this test quick.
        var stranger = Silo("cluster-generator.json");
        stranger.Tls.Directory = TestCertificates.Create("stranger CA");
        var refused = await JoinRefused(stranger);
        Assert.IsNotType<TimeoutException>(refused);

        // TLS switched off entirely: no plain connection is accepted either.
        var plain = Silo("cluster-generator.json");
        plain.Tls.Enabled = false;
        Assert.IsNotType<TimeoutException>(await JoinRefused(plain));

        // A silo with a certificate of the cluster's CA joins, and the cluster is exactly the two members.
        var generator = await StartSilo(Silo("cluster-generator.json"));
        var client = await StartClient();
        var management = client.GetGrain<IManagementGrain>(0);
        await Eventually(async () => (await management.GetHosts(onlyActive: true)).Count == 2, "trainer and generator active");
        var active = (await management.GetHosts(onlyActive: true)).Keys.ToHashSet();
        Assert.Equal(new[] { AddressOf(trainer), AddressOf(generator) }.ToHashSet(), active);
    }

    /// <summary>Starts a silo that must fail to join (a short join limit keeps it quick); returns why it failed.</summary>
    private static async Task<Exception> JoinRefused(ApoSiloOptions options)
    {
        using var host = ApoHost.CreateSilo(options, services => InTestHost(services)
            .Configure<ClusterMembershipOptions>(o => o.MaxJoinAttemptTime = TimeSpan.FromSeconds(20)));
        // Not stopped afterwards: a silo that never finished starting cannot be stopped, only disposed.
        return await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync().WaitAsync(TimeSpan.FromMinutes(2)));
    }

    /// <summary>
    /// Starts a client that must not get in: its start either fails or is still retrying the gateway after 15 s
    /// (a plain client keeps retrying against a TLS gateway), and is then cancelled. The trusted client of the
    /// same test connects within a second, so the certificate is the only difference.
    /// </summary>
    private static async Task ConnectRefused(ApoClientOptions options)
    {
        using var host = ApoHost.CreateClient(options);
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync(patience.Token));
    }

    [Fact]
    public async Task A_client_needs_a_certificate_of_the_cluster_CA_to_reach_a_gateway()
    {
        await StartSilo(Silo("cluster-trainer.json"));

        var plain = Client();
        plain.Tls.Enabled = false;
        await ConnectRefused(plain);

        var stranger = Client();
        stranger.Tls.Directory = TestCertificates.Create("stranger CA");
        await ConnectRefused(stranger);

        var member = await StartClient();
        var hosts = await member.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        Assert.Single(hosts);
        Assert.All(hosts.Keys, silo => Assert.Equal(IPAddress.Loopback, silo.Endpoint.Address));
    }

    [Fact]
    public async Task A_missing_TLS_folder_is_refused_at_start_naming_the_field_and_the_file()
    {
        var options = Silo("cluster-trainer.json");
        options.Tls.Directory = Path.Combine(Path.GetTempPath(), "apo-no-such-tls-" + Guid.NewGuid().ToString("N"));
        var error = Assert.Throws<InvalidDataException>(() => ApoHost.CreateSilo(options));
        Assert.StartsWith(options.Source + ": field \"Tls:Directory\"", error.Message);
        Assert.Contains(Path.Combine(options.Tls.Directory, "tls.crt") + " does not exist", error.Message);
    }
}

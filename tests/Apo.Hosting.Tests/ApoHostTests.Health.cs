using System.Net;
using System.Text.Json.Nodes;
using Apo.Hosting.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Apo.Hosting.Tests;

/// <summary>The silo's HTTP health endpoint and its shutdown timeout, on a loopback silo.</summary>
public sealed partial class ApoHostTests
{
    private ApoSiloOptions WithHealth(int healthPort)
    {
        var options = Options();
        options.Health.Port = healthPort;
        return options;
    }

    [Fact]
    public async Task A_running_silo_answers_live_and_ready_with_each_check_and_stops_answering_when_stopped()
    {
        int port = FreeLoopbackPort();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using (var host = ApoHost.CreateSilo(WithHealth(port)))
        {
            await host.StartAsync();
            var live = await http.GetAsync($"http://127.0.0.1:{port}/health/live");
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            var body = JsonNode.Parse(await live.Content.ReadAsStringAsync())!;
            Assert.Equal("Healthy", (string)body["status"]!);
            Assert.Equal("orleans-silo", (string)body["checks"]![0]!["name"]!);

            var ready = await http.GetAsync($"http://127.0.0.1:{port}/health/ready");
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            var check = JsonNode.Parse(await ready.Content.ReadAsStringAsync())!["checks"]![0]!;
            Assert.Equal("cluster-membership", (string)check["name"]!);
            Assert.EndsWith("is Active", (string)check["description"]!);

            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"http://127.0.0.1:{port}/health")).StatusCode);
            await host.StopAsync();
        }
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync($"http://127.0.0.1:{port}/health/live"));
    }

    [Fact]
    public void The_shutdown_timeout_comes_from_the_silo_config_and_no_port_means_no_endpoint()
    {
        var options = WithHealth(0);
        Assert.Equal(170, options.ShutdownTimeoutSeconds);  // the default, and the cluster configs' value
        options.ShutdownTimeoutSeconds = 42;
        using var host = ApoHost.CreateSilo(options);
        Assert.Equal(TimeSpan.FromSeconds(42), host.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
        Assert.DoesNotContain(host.Services.GetServices<IHostedService>(), s => s.GetType().Name == "SiloHealthEndpoint");
    }

    [Theory]
    [InlineData("ShutdownTimeoutSeconds", "0", "must be in 1..3600 seconds")]
    [InlineData("Health:Port", "70000", "must be 0 (no endpoint) or a port in 1..65535")]
    public void Bad_lifecycle_settings_name_the_field(string field, string value, string why)
    {
        var options = WithHealth(0);
        if (field == "ShutdownTimeoutSeconds") options.ShutdownTimeoutSeconds = int.Parse(value);
        else options.Health.Port = int.Parse(value);
        var error = Assert.Throws<InvalidDataException>(() => ApoSiloConfiguration.Validate(options));
        Assert.Equal($"{options.Source}: field \"Silo:{field}\" = \"{value}\" {why}", error.Message);
    }
}

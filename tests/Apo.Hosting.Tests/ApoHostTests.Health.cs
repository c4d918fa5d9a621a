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

    [Fact]
    public async Task With_Prometheus_on_the_health_port_serves_Orleans_and_Apo_meters()
    {
        int port = FreeLoopbackPort();
        var options = WithHealth(port);
        options.Metrics.Prometheus = true;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var host = ApoHost.CreateSilo(options);
        await host.StartAsync();
        // The instruments the grains count with (process-wide meters): a generator recorded 5 prompts with 2 verifier failures.
        Apo.Grains.Diagnostics.ApoMetrics.StageOnePrompts.Add(5);
        Apo.Grains.Diagnostics.ApoMetrics.VerifierFailures.Add(2);
        Apo.Grains.Diagnostics.ApoMetrics.StepSeconds.Record(1.5);
        var grain = host.Services.GetRequiredService<IGrainFactory>().GetGrain<ICounterGrain>("metrics/1");
        await grain.Add(1, "step");  // an activation, so Orleans' own instruments have something to report

        var text = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
        var lines = text.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("apo_stage1_prompts_total") && l.Split(' ')[1] == "5");
        Assert.Contains(lines, l => l.StartsWith("apo_verifier_failures_total") && l.Split(' ')[1] == "2");
        Assert.Contains(lines, l => l.StartsWith("apo_trainer_step_duration_seconds_count") && l.Split(' ')[1] == "1");
        Assert.Contains(lines, l => l.StartsWith("orleans_"));
        await host.StopAsync();
    }

    [Fact]
    public void Prometheus_without_a_health_port_and_a_bad_OTLP_endpoint_are_refused_naming_the_field()
    {
        var options = WithHealth(0);
        options.Metrics.Prometheus = true;
        var error = Assert.Throws<InvalidDataException>(() => ApoSiloConfiguration.Validate(options));
        Assert.Equal($"{options.Source}: field \"Silo:Metrics:Prometheus\" = \"true\" needs Health:Port: the scrape endpoint is /metrics on the health port", error.Message);
        options.Metrics.Prometheus = false;
        options.Metrics.OtlpEndpoint = "collector:4317";
        error = Assert.Throws<InvalidDataException>(() => ApoSiloConfiguration.Validate(options));
        Assert.Equal($"{options.Source}: field \"Silo:Metrics:OtlpEndpoint\" = \"collector:4317\" must be an http:// or https:// URI of an OTLP collector (or empty)", error.Message);
    }
}

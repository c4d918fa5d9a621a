using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;

namespace Apo.Hosting.Health;

/// <summary>
/// Serves the silo's health checks over HTTP on a port of its own (Kestrel): <c>GET /health/live</c> runs the
/// checks tagged <see cref="LiveTag"/>, <c>GET /health/ready</c> those tagged <see cref="ReadyTag"/>; 200 when
/// healthy, 503 otherwise, with a small JSON body naming each check. It starts before the silo, so liveness
/// answers while the silo joins and readiness says "not yet".
/// </summary>
/// With <paramref name="prometheus"/>, the same port also serves <c>GET /metrics</c> for Prometheus.
sealed class SiloHealthEndpoint(HealthCheckService checks, IPAddress address, int port, bool prometheus, ILogger<SiloHealthEndpoint> logger)
    : IHostedService, IAsyncDisposable
{
    public const string LiveTag = "live", ReadyTag = "ready";
    public const string LivePath = "/health/live", ReadyPath = "/health/ready", MetricsPath = "/metrics";

    WebApplication? app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Empty builder: no appsettings, environment or command-line sources; only what is configured here.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(address, port));
        builder.Services.AddRoutingCore();
        // The meters are process-wide, so this endpoint's own meter provider sees the silo's Orleans and Apo instruments.
        if (prometheus) builder.Services.AddOpenTelemetry().WithMetrics(metrics => SiloTelemetry.Meters(metrics).AddPrometheusExporter());
        app = builder.Build();
        app.UseRouting();
        app.MapGet(LivePath, (HttpContext context) => Answer(context, LiveTag));
        app.MapGet(ReadyPath, (HttpContext context) => Answer(context, ReadyTag));
        if (prometheus) app.MapPrometheusScrapingEndpoint(MetricsPath);
        await app.StartAsync(cancellationToken);
        logger.LogInformation("health checks on http://{Address}:{Port}{Live} and {Ready}", address, port, LivePath, ReadyPath);
    }

    async Task Answer(HttpContext context, string tag)
    {
        var report = await checks.CheckHealthAsync(r => r.Tags.Contains(tag), context.RequestAborted);
        context.Response.StatusCode = report.Status == HealthStatus.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.Select(e => new { name = e.Key, status = e.Value.Status.ToString(), description = e.Value.Description }),
        }, cancellationToken: context.RequestAborted);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (app is not null) await app.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (app is not null) await app.DisposeAsync();
    }
}

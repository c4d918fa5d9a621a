using Apo.Hosting.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace Apo.Hosting.Health;

/// <summary>Which meters a silo exports, and the OTLP push when one is configured.</summary>
public static class SiloTelemetry
{
    /// <summary>Orleans' built-in meter.</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>Subscribes a meter provider to Orleans' instruments and the pipeline's.</summary>
    public static MeterProviderBuilder Meters(MeterProviderBuilder metrics) =>
        metrics.AddMeter(OrleansMeter, Apo.Grains.Diagnostics.ApoMetrics.MeterName);

    /// <summary>Pushes the meters to <see cref="ApoMetricsOptions.OtlpEndpoint"/> when it is set (the Prometheus endpoint is the health server's).</summary>
    public static IServiceCollection AddApoSiloTelemetry(this IServiceCollection services, ApoSiloOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Metrics.OtlpEndpoint)) return services;
        var endpoint = new Uri(options.Metrics.OtlpEndpoint);
        services.AddOpenTelemetry().WithMetrics(metrics => Meters(metrics).AddOtlpExporter(o => o.Endpoint = endpoint));
        return services;
    }
}

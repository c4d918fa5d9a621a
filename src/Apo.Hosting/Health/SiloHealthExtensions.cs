using System.Net;
using Apo.Hosting.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Apo.Hosting.Health;

/// <summary>Registers the silo's health checks and their HTTP endpoint.</summary>
public static class SiloHealthExtensions
{
    /// <summary>
    /// Adds the liveness and readiness checks and, when <see cref="ApoHealthOptions.Port"/> is set, the endpoint on
    /// <paramref name="address"/> (the silo's own address). Call before <c>UseOrleans</c> so it starts first.
    /// </summary>
    public static IServiceCollection AddApoSiloHealth(this IServiceCollection services, ApoSiloOptions options, IPAddress address)
    {
        services.AddHealthChecks()
            .AddCheck<SiloLivenessCheck>("orleans-silo", tags: [SiloHealthEndpoint.LiveTag])
            .AddCheck<SiloReadinessCheck>("cluster-membership", tags: [SiloHealthEndpoint.ReadyTag]);
        if (options.Health.Port > 0)
            services.AddHostedService(sp => new SiloHealthEndpoint(sp.GetRequiredService<HealthCheckService>(), address, options.Health.Port,
                options.Metrics.Prometheus, sp.GetRequiredService<ILogger<SiloHealthEndpoint>>()));
        return services;
    }
}

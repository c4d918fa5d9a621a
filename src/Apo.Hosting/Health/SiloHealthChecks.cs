using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Runtime;

namespace Apo.Hosting.Health;

/// <summary>
/// Liveness: Orleans' own health participants (the silo's message loop, membership agent, catalog…) report no
/// problem. A silo that fails this is stuck and is better restarted.
/// </summary>
sealed class SiloLivenessCheck(IEnumerable<IHealthCheckParticipant> participants) : IHealthCheck
{
    DateTime lastCheck = DateTime.UtcNow;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var since = lastCheck;
        lastCheck = DateTime.UtcNow;
        var problems = new List<string>();
        foreach (var participant in participants)
            if (!participant.CheckHealth(since, out var reason))
                problems.Add($"{participant.GetType().Name}: {reason}");
        return Task.FromResult(problems.Count == 0
            ? HealthCheckResult.Healthy("every Orleans health participant is healthy")
            : HealthCheckResult.Unhealthy(string.Join("; ", problems)));
    }
}

/// <summary>
/// Readiness: this silo is Active in the cluster's membership (joined, not yet shutting down), so it can host
/// grains and take work. False while it starts, and again once it begins to leave.
/// </summary>
sealed class SiloReadinessCheck(ILocalSiloDetails silo, IClusterMembershipService membership) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy($"silo {silo.SiloAddress} is Active")
            : HealthCheckResult.Unhealthy($"silo {silo.SiloAddress} is {status}"));
    }
}

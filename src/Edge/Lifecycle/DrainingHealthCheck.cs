using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CardGame.Edge.Lifecycle;

/// <summary>Not ready once draining has started, so load balancers stop sending new clients here first.</summary>
public sealed class DrainingHealthCheck(EdgeDrain drain) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(drain.IsDraining ? HealthCheckResult.Unhealthy("draining: this edge is stopping") : HealthCheckResult.Healthy());
}

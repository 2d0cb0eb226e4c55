using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CardGame.Edge.Lifecycle;

/// <summary>Not ready until <see cref="EdgeWarmup"/> has run a player's reconnect path once.</summary>
public sealed class WarmupHealthCheck(EdgeWarmup warmup) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(warmup.Completed.IsCompleted ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("warming up"));
}

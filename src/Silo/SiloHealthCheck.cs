using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CardGame.Silo;

/// <summary>
/// Healthy when this silo has warmed up (<see cref="SiloWarmup"/>) and its runtime answers: it can reach the cluster's
/// management grain.
/// </summary>
public sealed class SiloHealthCheck(IGrainFactory grains, SiloWarmup warmup) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!warmup.Completed.IsCompleted)
        {
            return HealthCheckResult.Unhealthy("warming up");
        }

        try
        {
            var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return HealthCheckResult.Healthy($"{hosts.Count} active silo(s)");
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy("the cluster does not answer", ex);
        }
    }
}

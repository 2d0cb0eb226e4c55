using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CardGame.Edge.Cluster;

/// <summary>
/// Ready when the edge is connected to the cluster, has connected to the silos' gateways for direct table calls
/// (<see cref="TableRoutes.Warmed"/>), and a silo answers.
/// </summary>
public sealed class ClusterHealthCheck(ClusterConnection connection, TableRoutes routes) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!connection.IsConnected)
        {
            return HealthCheckResult.Unhealthy("connecting to the game cluster");
        }

        if (!routes.Warmed.IsCompleted)
        {
            return HealthCheckResult.Unhealthy("connecting to the silos' gateways");
        }

        try
        {
            var hosts = await connection.Grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return HealthCheckResult.Healthy($"{hosts.Count} active silo(s)");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("the game cluster does not answer");
        }
    }
}

using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace CardGame.Edge.Cluster;

/// <summary>
/// The edge as an Orleans client: localhost clustering (gateway <c>Orleans:GatewayPort</c>, default 30000) unless
/// <c>ConnectionStrings:Redis</c> is set, then Redis clustering; cluster ids from <c>Orleans:ClusterId</c> /
/// <c>Orleans:ServiceId</c> (default "cardgame"), the keys the silo reads; calls time out after
/// <c>Orleans:ResponseTimeoutSeconds</c> (default 10).
/// </summary>
public static class ClusterExtensions
{
    public static IHostApplicationBuilder AddGameCluster(this IHostApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var settings = ClusterClientSettings.From(config);
        var gatewayPort = config.GetValue("Orleans:GatewayPort", 30000);
        var redis = config.GetConnectionString("Redis");

        var hostedBefore = builder.Services.Where(d => d.ServiceType == typeof(IHostedService)).ToList();
        builder.UseOrleansClient(client =>
        {
            if (string.IsNullOrWhiteSpace(redis))
            {
                client.UseLocalhostClustering(gatewayPort, settings.ServiceId, settings.ClusterId);
            }
            else
            {
                client.UseRedisClustering(redis);
            }

            settings.ApplyTo(client);
            client.UseConnectionRetryFilter<RetryUntilConnected>();
        });

        // The client must not block the edge's start: ClusterConnection starts it in the background instead.
        foreach (var added in builder.Services.Where(d => d.ServiceType == typeof(IHostedService) && !hostedBefore.Contains(d)).ToList())
        {
            builder.Services.Remove(added);
        }

        builder.Services.AddSingleton<ClusterConnection>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ClusterConnection>());
        builder.Services.AddSingleton<EdgeNode>();
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<TableRoutes>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<TableRoutes>());
        builder.Services.AddHealthChecks().AddCheck<ClusterHealthCheck>("cluster", tags: ["ready"]);
        return builder;
    }

    /// <summary>
    /// The same three endpoints as a silo: <c>/health/live</c> (the process answers), <c>/health/ready</c> (it reaches
    /// the cluster; 503 otherwise) and <c>/health</c> (both).
    /// </summary>
    public static IEndpointRouteBuilder MapEdgeHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        endpoints.MapHealthChecks("/health");
        return endpoints;
    }
}

using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Orleans.Configuration;

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
        var clusterId = config["Orleans:ClusterId"] is { Length: > 0 } id ? id : "cardgame";
        var serviceId = config["Orleans:ServiceId"] is { Length: > 0 } service ? service : "cardgame";
        var gatewayPort = config.GetValue("Orleans:GatewayPort", 30000);
        var responseTimeout = TimeSpan.FromSeconds(config.GetValue("Orleans:ResponseTimeoutSeconds", 10.0));
        var redis = config.GetConnectionString("Redis");
        var tracing = Observability.EdgeTracing.Endpoint(config) is not null;

        var hostedBefore = builder.Services.Where(d => d.ServiceType == typeof(IHostedService)).ToList();
        builder.UseOrleansClient(client =>
        {
            if (string.IsNullOrWhiteSpace(redis))
            {
                client.UseLocalhostClustering(gatewayPort, serviceId, clusterId);
            }
            else
            {
                client.UseRedisClustering(redis);
            }

            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = serviceId;
            });
            client.UseConnectionRetryFilter<RetryUntilConnected>();
            // A call a gateway had forwarded to a silo that then died gets no answer until this timeout, and a
            // SignalR connection runs one invocation at a time: Orleans' 30 s default stalled a player that long.
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = responseTimeout);
            if (tracing)
            {
                // The hub invocation's trace goes with every grain call (only when tracing is on: it adds a filter to every call).
                client.AddActivityPropagation();
            }
        });

        // The client must not block the edge's start: ClusterConnection starts it in the background instead.
        foreach (var added in builder.Services.Where(d => d.ServiceType == typeof(IHostedService) && !hostedBefore.Contains(d)).ToList())
        {
            builder.Services.Remove(added);
        }

        builder.Services.AddSingleton<ClusterConnection>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ClusterConnection>());
        builder.Services.AddSingleton<EdgeNode>();
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

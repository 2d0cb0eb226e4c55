using CardGame.Contracts.Grains;
using Orleans.Configuration;
using Orleans.Networking.Shared;

namespace CardGame.Edge.Cluster;

/// <summary>
/// What every Orleans client of this edge shares (the main one and those bound to one silo, <see cref="TableRoutes"/>):
/// the cluster's ids, the call timeout, whether calls carry the trace, and how many I/O queues schedule the gateway
/// connections' socket work (<c>Orleans:IOQueueCount</c>: Orleans' <see cref="SocketConnectionOptions.IOQueueCount"/>;
/// 0 hands it to the thread pool directly; unset, Orleans' default of one per core).
/// </summary>
public sealed record ClusterClientSettings(string ClusterId, string ServiceId, TimeSpan ResponseTimeout, bool Tracing, int? IOQueueCount = null)
{
    public static ClusterClientSettings From(IConfiguration config) => new(
        config["Orleans:ClusterId"] is { Length: > 0 } id ? id : "cardgame",
        config["Orleans:ServiceId"] is { Length: > 0 } service ? service : "cardgame",
        TimeSpan.FromSeconds(config.GetValue("Orleans:ResponseTimeoutSeconds", 10.0)),
        Observability.EdgeTracing.Endpoint(config) is not null,
        config.GetValue<int?>("Orleans:IOQueueCount"));

    public void ApplyTo(IClientBuilder client)
    {
        client.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = ClusterId;
            o.ServiceId = ServiceId;
        });
        // A call a gateway had forwarded to a silo that then died gets no answer until this timeout, and a
        // SignalR connection runs one invocation at a time: Orleans' 30 s default stalled a player that long.
        client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = ResponseTimeout);
        GrainInterfaceTypeCache.AddTo(client.Services);
        if (IOQueueCount is { } queues)
        {
            client.Configure<SocketConnectionOptions>(o => o.IOQueueCount = queues);
        }

        if (Tracing)
        {
            // The hub invocation's trace goes with every grain call (only when tracing is on: it adds a filter to every call).
            client.AddActivityPropagation();
        }
    }
}

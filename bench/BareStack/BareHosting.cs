using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Orleans.Configuration;
using Orleans.Networking.Shared;

namespace CardGame.Bench.BareStack;

/// <summary>
/// Hosting for both roles. Keys: <c>Bare:SiloPort</c> (11211), <c>Bare:GatewayPort</c> (30100), <c>Bare:Cluster</c>
/// (true; false for an echo-only edge with no silo), <c>Urls</c>. The socket scheduling keys of the real servers, with
/// their defaults, so both stacks are compared with the same transport: <c>Edge:InlineSocketScheduling</c>,
/// <c>Orleans:IOQueueCount</c> (edge), <c>Silo:IOQueueCount</c> (silo).
/// </summary>
public static class BareHosting
{
    public static WebApplicationBuilder AddBareSilo(this WebApplicationBuilder builder)
    {
        var (siloPort, gatewayPort) = Ports(builder.Configuration);
        builder.UseOrleans(orleans =>
        {
            orleans.UseLocalhostClustering(siloPort, gatewayPort);
            orleans.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = ("bare", "bare"));
            if (builder.Configuration.GetValue<int?>("Silo:IOQueueCount") is { } queues)
            {
                orleans.Configure<SocketConnectionOptions>(o => o.IOQueueCount = queues);
            }
        });
        return builder;
    }

    public static WebApplicationBuilder AddBareEdge(this WebApplicationBuilder builder)
    {
        var (_, gatewayPort) = Ports(builder.Configuration);
        if (builder.Configuration.GetValue("Bare:Cluster", true))
        {
            builder.UseOrleansClient(client =>
            {
                client.UseLocalhostClustering(gatewayPort);
                client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = ("bare", "bare"));
                if (builder.Configuration.GetValue<int?>("Orleans:IOQueueCount") is { } queues)
                {
                    client.Configure<SocketConnectionOptions>(o => o.IOQueueCount = queues);
                }
            });
        }

        var inline = builder.Configuration.GetValue("Edge:InlineSocketScheduling", true);
        builder.Services.Configure<SocketTransportOptions>(o => o.UnsafePreferInlineScheduling = inline);

        builder.Services.AddSignalR();
        return builder;
    }

    private static (int SiloPort, int GatewayPort) Ports(IConfiguration config) =>
        (config.GetValue("Bare:SiloPort", 11211), config.GetValue("Bare:GatewayPort", 30100));
}

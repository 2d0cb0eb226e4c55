using Orleans.Configuration;

namespace CardGame.Bench.BareStack;

/// <summary>
/// Hosting for both roles. Keys: <c>Bare:SiloPort</c> (11211), <c>Bare:GatewayPort</c> (30100), <c>Bare:Cluster</c>
/// (true; false for an echo-only edge with no silo), <c>Urls</c>.
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
            });
        }

        builder.Services.AddSignalR();
        return builder;
    }

    private static (int SiloPort, int GatewayPort) Ports(IConfiguration config) =>
        (config.GetValue("Bare:SiloPort", 11211), config.GetValue("Bare:GatewayPort", 30100));
}

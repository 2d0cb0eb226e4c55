using CardGame.TestSupport;
using Orleans.TestingHost;

namespace CardGame.Edge.Tests.Infrastructure;

/// <summary>
/// A 2-silo cluster whose edges' main Orleans clients know only the gateway of the second silo
/// (<see cref="Gateway"/>), so a call to a table on the first (<see cref="Host"/>) is forwarded by that gateway
/// whenever the edge does not route it: <see cref="Routed"/> routes table calls to the hosting silo
/// (<c>Edge:RouteTableCalls</c>, the default), <see cref="Unrouted"/> does not. The rebalancer is off, so tables stay
/// where they were placed unless a test moves them.
/// </summary>
public sealed class RoutingFixture : ClusterFixture
{
    public EdgeServer Routed { get; private set; } = null!;

    public EdgeServer Unrouted { get; private set; } = null!;

    public InProcessSiloHandle Host => (InProcessSiloHandle)Cluster.Silos[0];

    public InProcessSiloHandle Gateway => (InProcessSiloHandle)Cluster.Silos[1];

    protected override IReadOnlyDictionary<string, string?> GameSettings => new Dictionary<string, string?>(base.GameSettings)
    {
        ["Silo:Rebalancing:Enabled"] = "false",
    };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Routed = await EdgeServer.StartAsync(EdgeSettings(route: true));
        Unrouted = await EdgeServer.StartAsync(EdgeSettings(route: false));
    }

    /// <summary>
    /// The settings of <see cref="Routed"/> (<paramref name="route"/>) or <see cref="Unrouted"/>; with
    /// <paramref name="mainGateway"/>, an edge whose main client knows only that silo's gateway.
    /// </summary>
    public Dictionary<string, string?> EdgeSettings(bool route, InProcessSiloHandle? mainGateway = null) => new()
    {
        // No Redis clustering: the main client's only gateway is the second silo's.
        ["Orleans:GatewayPort"] = (mainGateway ?? Gateway).GatewayAddress.Endpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Orleans:ClusterId"] = ClusterId,
        ["Orleans:ServiceId"] = ServiceId,
        ["Auth:SigningKey"] = TestTokens.SigningKey,
        ["Edge:RouteTableCalls"] = route ? "true" : "false",
        // Each move's events through the edge's observer, not with the answer: the event batches whose way these tests follow.
        ["Edge:MoveEventsWithAnswer"] = "false",
        ["Edge:MaxConnectionsPerAddress"] = "1000000",
        ["Edge:GuestSignInsPerMinute"] = "1000000",
        ["Edge:GuestSignInBurst"] = "1000000",
    };

    public override async Task DisposeAsync()
    {
        if (Unrouted is not null)
        {
            await Unrouted.DisposeAsync();
        }

        if (Routed is not null)
        {
            await Routed.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}

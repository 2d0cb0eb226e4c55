using System.Diagnostics.Metrics;
using CardGame.Contracts.Grains;
using CardGame.Edge.Cluster;
using CardGame.Edge.Delivery;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace CardGame.Edge.Tests;

/// <summary>
/// An edge sends a table's calls to the silo that hosts it (<see cref="TableRoutes"/>), measured with Orleans' own
/// meters: a gateway that forwards a client's call to another silo sends that silo a request. Its own cluster
/// (<see cref="RoutingFixture"/>): the edges' main clients know only the second silo's gateway, so every call to a
/// table on the first silo is forwarded unless the edge routes it.
/// </summary>
public sealed class TableRoutingTests(RoutingFixture fixture, ITestOutputHelper output) : IClassFixture<RoutingFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Moves_from_a_routing_edge_reach_the_table_s_silo_without_gateway_forwarding()
    {
        using var counter = new OrleansMessageCounter();
        var host = fixture.Host;
        await using var routed = await SeatTableOnAsync(fixture.Routed, host.SiloAddress);
        await using var unrouted = await SeatTableOnAsync(fixture.Unrouted, host.SiloAddress);
        // The join's answer named the table's silo; the edge's client for it connects in the background.
        await WaitUntilAsync(() => Equals(Routes(fixture.Routed).DirectGatewayOf(routed.RoomId), Key(host.GatewayAddress)), "the routed edge to connect to the table's silo");
        Assert.Null(Routes(fixture.Unrouted).DirectGatewayOf(unrouted.RoomId));

        var hostMeters = host.ServiceProvider.GetRequiredService<IMeterFactory>();
        var (forwardedBefore, receivedBefore) = (counter.RequestsTo(host.SiloAddress), counter.GatewayReceived(hostMeters));
        var routedCalls = await PlayAsync(routed, moves: 40);
        var (forwardedRouted, receivedRouted) = (counter.RequestsTo(host.SiloAddress) - forwardedBefore, counter.GatewayReceived(hostMeters) - receivedBefore);

        (forwardedBefore, receivedBefore) = (counter.RequestsTo(host.SiloAddress), counter.GatewayReceived(hostMeters));
        var unroutedCalls = await PlayAsync(unrouted, moves: 40);
        var (forwardedUnrouted, receivedUnrouted) = (counter.RequestsTo(host.SiloAddress) - forwardedBefore, counter.GatewayReceived(hostMeters) - receivedBefore);

        output.WriteLine($"routed: {routedCalls} table calls, {forwardedRouted} requests forwarded to the table's silo, {receivedRouted} received by its gateway");
        output.WriteLine($"unrouted: {unroutedCalls} table calls, {forwardedUnrouted} requests forwarded to the table's silo, {receivedUnrouted} received by its gateway");
        // Without routing every call is forwarded (the meter sees it); with routing every call arrives at the table's
        // own gateway and what is forwarded is the silos' own background traffic (membership probes, statistics).
        Assert.True(forwardedUnrouted >= unroutedCalls, $"{forwardedUnrouted} forwarded of {unroutedCalls} unrouted calls");
        Assert.True(receivedRouted >= routedCalls, $"{receivedRouted} received by the table's gateway of {routedCalls} routed calls");
        Assert.True(forwardedRouted * 4 <= routedCalls, $"{forwardedRouted} forwarded of {routedCalls} routed calls");
    }

    [Fact]
    public async Task A_routing_edge_reports_ready_only_once_it_is_connected_to_every_silo_s_gateway()
    {
        // StartAsync returns once /health/ready answers 200; no table call has gone through this edge yet.
        await using var routed = await EdgeServer.StartAsync(fixture.EdgeSettings(route: true));
        await using var unrouted = await EdgeServer.StartAsync(fixture.EdgeSettings(route: false));

        foreach (var silo in fixture.Cluster.Silos.Cast<InProcessSiloHandle>())
        {
            Assert.True(Routes(routed).IsConnectedTo(silo.GatewayAddress), $"the routing edge has a client for {silo.SiloAddress}");
            Assert.False(Routes(unrouted).IsConnectedTo(silo.GatewayAddress), $"the edge that does not route has none for {silo.SiloAddress}");
        }
    }

    [Fact]
    public async Task Event_batches_to_a_routing_edge_and_their_acknowledgments_cross_no_second_silo()
    {
        using var counter = new OrleansMessageCounter();
        var (host, gateway) = (fixture.Host, fixture.Gateway);
        await using var routed = await SeatTableOnAsync(fixture.Routed, host.SiloAddress);
        await using var unrouted = await SeatTableOnAsync(fixture.Unrouted, host.SiloAddress);
        // The join's answer named the table's silo: the edge connects a client to it and subscribes again with that
        // client's observer, in the background.
        await WaitUntilAsync(() => Routes(fixture.Routed).ClientOf(routed.RoomId) is not null
            && Equals(Subscriptions(fixture.Routed).ObserverGiven(routed.RoomId), Node(fixture.Routed).ObserverFor(routed.RoomId)),
            "the routed edge to subscribe with its observer on the table's silo");
        Assert.Equal(Node(fixture.Unrouted).Observer, Subscriptions(fixture.Unrouted).ObserverGiven(unrouted.RoomId));

        var (relayedBefore, ackedBefore) = (counter.RequestsTo(gateway.SiloAddress), counter.ResponsesTo(host.SiloAddress));
        var (gamesBefore, playingBefore) = (routed.GamesStarted, routed.Last.Phase == Phases.Playing);
        await PlayAsync(routed, moves: 40);
        // Games that ended while these moves were made (the last one started may still be on).
        var gamesEnded = routed.GamesStarted - gamesBefore - (routed.Last.Phase == Phases.Playing ? 1 : 0) + (playingBefore ? 1 : 0);
        await routed.Players.Values.First().WaitForSeqAsync(routed.RoomId, routed.Last.Seq);
        var (relayedRouted, ackedRouted) = (counter.RequestsTo(gateway.SiloAddress) - relayedBefore, counter.ResponsesTo(host.SiloAddress) - ackedBefore);

        (relayedBefore, ackedBefore) = (counter.RequestsTo(gateway.SiloAddress), counter.ResponsesTo(host.SiloAddress));
        await PlayAsync(unrouted, moves: 40);
        await unrouted.Players.Values.First().WaitForSeqAsync(unrouted.RoomId, unrouted.Last.Seq);
        var (relayedUnrouted, ackedUnrouted) = (counter.RequestsTo(gateway.SiloAddress) - relayedBefore, counter.ResponsesTo(host.SiloAddress) - ackedBefore);

        output.WriteLine($"routed: {relayedRouted} requests from the table's silo to the other, {ackedRouted} responses back, {gamesEnded} games ended");
        output.WriteLine($"unrouted: {relayedUnrouted} requests from the table's silo to the other, {ackedUnrouted} responses back");
        // The unrouted edge's client is connected to the other silo only: each batch is relayed there and its
        // acknowledgment back (and each move's answer, forwarded, goes there too), which the meter sees. The routed
        // edge's batches go down its connection to the table's silo and come back up it: what crosses is the silos'
        // own background traffic (membership probes, statistics).
        Assert.True(relayedUnrouted >= 20 && ackedUnrouted >= 20, $"unrouted: {relayedUnrouted} relayed, {ackedUnrouted} acknowledged through the other silo in 40 moves");
        // Besides that background, each game that ends tells its 4 players' grains, each activated afresh (a seated
        // player's grain leaves memory after each call) wherever placement puts it, registered in and then removed from
        // the grain directory, whose partition may be the other silo's: up to 3 requests and answers per player, none
        // of them an event batch (a run with 3 games ended counted 18, which failed the bound without this allowance).
        var allowed = 10 + 12 * Math.Max(gamesEnded, 0);
        Assert.True(relayedRouted <= allowed && ackedRouted <= allowed,
            $"routed: {relayedRouted} relayed, {ackedRouted} acknowledged through the other silo in 40 moves ({gamesEnded} games ended; at most {allowed})");
        Assert.True(relayedUnrouted - relayedRouted >= 20, $"routing spared {relayedUnrouted - relayedRouted} relayed requests in 40 moves");
    }

    [Fact]
    public async Task A_stale_route_costs_one_forward_and_the_answer_corrects_it()
    {
        var host = fixture.Host;
        await using var table = await SeatTableOnAsync(fixture.Routed, host.SiloAddress);
        var routes = Routes(fixture.Routed);
        // As after the table moved away from a silo that is still up: the edge's word names the other silo.
        routes.Learn(table.RoomId, fixture.Gateway.GatewayAddress);
        await WaitUntilAsync(() => Equals(routes.DirectGatewayOf(table.RoomId), Key(fixture.Gateway.GatewayAddress)), "the routed edge to connect to the other silo");

        await PlayAsync(table, moves: 1);

        Assert.Equal(Key(host.GatewayAddress), routes.DirectGatewayOf(table.RoomId));
    }

    [Fact]
    public async Task Moves_keep_working_when_the_silo_a_route_names_stops_and_then_go_to_the_table_s_new_silo()
    {
        var added = (InProcessSiloHandle)await fixture.Cluster.StartAdditionalSiloAsync();
        var routes = Routes(fixture.Routed);
        await using var table = await SeatTableOnAsync(fixture.Routed, added.SiloAddress);
        await WaitUntilAsync(() => Equals(routes.DirectGatewayOf(table.RoomId), Key(added.GatewayAddress)), "the routed edge to connect to the new silo");
        await PlayAsync(table, moves: 2);

        // A planned stop: the table moves to another silo in memory, the edge's connection to the stopped silo closes.
        // A repeatable call waiting on that connection is told so, to be sent again at once (HedgedCalls).
        var dropped = routes.RouteDropped(table.RoomId);
        Assert.True(dropped.CanBeCanceled, "a routed room's calls can be told their connection was dropped");
        Assert.False(dropped.IsCancellationRequested);
        await fixture.Cluster.StopSiloAsync(added);
        var calls = await PlayAsync(table, moves: 6);
        var newHost = await HostOfAsync(table.RoomId);
        output.WriteLine($"{calls} table calls after the stop; the table is now on {newHost}");

        Assert.NotEqual(added.SiloAddress, newHost);
        await WaitUntilAsync(() => dropped.IsCancellationRequested, "the stopped silo's route to be signalled as dropped");
        var newGateway = fixture.Cluster.Silos.Single(s => s.SiloAddress.Equals(newHost)).GatewayAddress;
        await WaitUntilAsync(() => Equals(routes.DirectGatewayOf(table.RoomId), Key(newGateway)), "the routed edge to route to the table's new silo");
        await PlayAsync(table, moves: 2);
    }

    [Fact]
    public async Task A_room_whose_silo_left_is_called_through_another_silo_s_client_not_through_the_main_client()
    {
        var leaving = (InProcessSiloHandle)await fixture.Cluster.StartAdditionalSiloAsync();
        // This edge's main client knows only the gateway of the silo that leaves: the worst case of a main client that
        // still picks a leaving silo's gateway (Orleans' client does so in a rolling restart). Once ready, the edge has a
        // client of its own for every silo.
        await using var edge = await EdgeServer.StartAsync(fixture.EdgeSettings(route: true, mainGateway: leaving));
        var routes = Routes(edge);
        await using var table = await SeatTableOnAsync(edge, leaving.SiloAddress);
        await WaitUntilAsync(() => Equals(routes.DirectGatewayOf(table.RoomId), Key(leaving.GatewayAddress)), "the edge to route to the silo that will leave");
        await PlayAsync(table, moves: 2);

        // A planned stop: the table moves to another silo in memory; the edge's route to the stopped silo is dropped.
        await fixture.Cluster.StopSiloAsync(leaving);
        // The route's drop tells HedgedCalls that a silo is leaving (repeats fall due sooner for a while).
        await WaitUntilAsync(() => routes.Leaving, "the edge to count a silo as leaving");
        var calls = await PlayAsync(table, moves: 6);
        var newHost = await HostOfAsync(table.RoomId);
        output.WriteLine($"{calls} table calls after the stop, through another silo's client; the table is now on {newHost}");

        Assert.NotEqual(leaving.SiloAddress, newHost);
        var newGateway = fixture.Cluster.Silos.Single(s => s.SiloAddress.Equals(newHost)).GatewayAddress;
        Assert.Equal(Key(newGateway), routes.DirectGatewayOf(table.RoomId));
    }

    [Fact]
    public async Task A_routing_edge_connects_to_a_silo_that_joins_before_any_table_answers_from_it()
    {
        var routes = Routes(fixture.Routed);
        var added = (InProcessSiloHandle)await fixture.Cluster.StartAdditionalSiloAsync();

        // No table lives there and no call named it: the edge finds it among the active silos by itself, so a room
        // whose silo leaves next has another silo's client to go through.
        await WaitUntilAsync(() => routes.IsConnectedTo(added.GatewayAddress), "the routing edge to connect to the silo that joined");
        await fixture.Cluster.StopSiloAsync(added);
    }

    private static TableRoutes Routes(EdgeServer edge) => edge.Services.GetRequiredService<TableRoutes>();

    private static TableSubscriptions Subscriptions(EdgeServer edge) => edge.Services.GetRequiredService<TableSubscriptions>();

    private static EdgeNode Node(EdgeServer edge) => edge.Services.GetRequiredService<EdgeNode>();

    private static SiloAddress Key(SiloAddress gateway) => SiloAddress.New(gateway.Endpoint, 0);

    private async Task<SiloAddress> HostOfAsync(string roomId)
    {
        var tableId = fixture.Grains.GetGrain<ITableGrain>(roomId).GetGrainId();
        var stats = await fixture.Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        return stats.Single(s => s.GrainId == tableId).SiloAddress;
    }

    /// <summary>Two players of <paramref name="edge"/> at a dealt 2-seat table on <paramref name="host"/> (tables are placed at random: new ones until one lands there).</summary>
    private async Task<SeatedTable> SeatTableOnAsync(EdgeServer edge, SiloAddress host)
    {
        for (var attempt = 0; attempt < 60; attempt++)
        {
            var alice = await GameClient.SignInAsync(edge, "alice");
            var bob = await GameClient.SignInAsync(edge, "bob");
            var room = await alice.InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest("routing", 2));
            if ((await HostOfAsync(room.RoomId)).Equals(host))
            {
                await alice.InvokeAsync<TableView>("JoinRoom", room.RoomId);
                await bob.InvokeAsync<TableView>("JoinRoom", room.RoomId);
                var view = await alice.InvokeAsync<TableView>("StartGame", room.RoomId);
                return new SeatedTable(room.RoomId, new Dictionary<string, GameClient> { [alice.PlayerId!] = alice, [bob.PlayerId!] = bob }, view);
            }

            await alice.DisposeAsync();
            await bob.DisposeAsync();
        }

        throw new InvalidOperationException($"no table landed on {host} in 60 tries");
    }

    /// <summary>Plays <paramref name="moves"/> moves (a look and a move each; a new deal when a game ends); returns the table calls made.</summary>
    private static async Task<int> PlayAsync(SeatedTable table, int moves)
    {
        var calls = 0;
        for (var move = 0; move < moves; move++)
        {
            if (table.Last.Phase != Phases.Playing)
            {
                table.Last = await table.Players.Values.First().InvokePatientlyAsync<TableView>("StartGame", table.RoomId);
                table.GamesStarted++;
                calls++;
            }

            table.Last = await GameTests.PlayOneMoveAsync(table.Players[table.Last.Turn!], table.RoomId);
            calls += 2;
        }

        return calls;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"waited {Patience} for {what}");
            }

            await Task.Delay(50);
        }
    }

    private sealed class SeatedTable(string roomId, Dictionary<string, GameClient> players, TableView last) : IAsyncDisposable
    {
        public string RoomId { get; } = roomId;

        public Dictionary<string, GameClient> Players { get; } = players;

        public TableView Last { get; set; } = last;

        /// <summary>Games started by <see cref="PlayAsync"/> at this table.</summary>
        public int GamesStarted { get; set; }

        public async ValueTask DisposeAsync()
        {
            foreach (var player in Players.Values)
            {
                await player.DisposeAsync();
            }
        }
    }
}

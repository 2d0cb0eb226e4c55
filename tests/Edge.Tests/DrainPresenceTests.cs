using CardGame.Edge.Lifecycle;

namespace CardGame.Edge.Tests;

/// <summary>
/// A player told to move off a draining edge is reconnecting elsewhere: the table must not show them disconnected
/// meanwhile (the draining edge's list of present players only grows, and lapses by itself).
/// </summary>
[Collection(EdgesCollection.Name)]
public sealed class DrainPresenceTests(EdgesFixture fixture)
{
    [Fact]
    public async Task A_player_moved_off_a_draining_edge_never_shows_disconnected_to_the_others()
    {
        var drained = await EdgeServer.StartAsync(new Dictionary<string, string?>(fixture.EdgeSettings)
        {
            ["Edge:DrainSpreadMilliseconds"] = "0",
            ["Edge:DrainSeconds"] = "20",
        });
        await using var bob = await GameClient.SignInAsync(fixture.Edge1, "bob");
        await using var carol = await GameClient.SignInAsync(fixture.Edge1, "carol");
        var aliceGuest = await drained.SignInAsync("alice");
        var alice = await GameClient.ConnectAsync(drained, aliceGuest.Token, aliceGuest.PlayerId);
        try
        {
            var room = await bob.InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest("drained", 3));
            await bob.InvokeAsync<TableView>("JoinRoom", room.RoomId);
            var aliceJoined = await alice.InvokeAsync<TableView>("JoinRoom", room.RoomId);
            await bob.WaitForSeqAsync(room.RoomId, aliceJoined.Seq);

            // The edge drains: alice is told to move, reconnects through the other edge, and the drained edge stops.
            var drain = drained.Services.GetRequiredService<EdgeDrain>().DrainAsync();
            var reason = await alice.Closed.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Contains("server_draining", reason?.Message ?? "", StringComparison.Ordinal);
            await using var back = await GameClient.ConnectAsync(fixture.Edge2, aliceGuest.Token, aliceGuest.PlayerId);
            await drain.WaitAsync(TimeSpan.FromSeconds(60));
            await drained.DisposeAsync();

            var carolJoined = await carol.InvokeAsync<TableView>("JoinRoom", room.RoomId);
            await bob.WaitForSeqAsync(room.RoomId, carolJoined.Seq);
            Assert.DoesNotContain(bob.EventsOf(room.RoomId), e => e.Kind == EventKinds.Connection);
            Assert.True(carolJoined.Players.Single(p => p.PlayerId == aliceGuest.PlayerId).Connected);
        }
        finally
        {
            await alice.DisposeAsync();
            await drained.DisposeAsync();
        }
    }
}

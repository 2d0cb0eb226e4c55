using CardGame.Contracts.Grains;

namespace CardGame.Grains.Tests.Cluster;

/// <summary>
/// A table knows who of its seated players is connected from the lists the edges that follow it send
/// (<see cref="ITableGrain.Follow"/>), with no player grain involved.
/// </summary>
[Collection(PresenceCollection.Name)]
public sealed class TablePresenceTests(PresenceClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Grains;

    [Fact]
    public async Task A_seated_player_is_connected_while_an_edge_lists_them_and_disconnected_when_none_does_or_the_list_lapses()
    {
        var (roomId, players) = await GameDriver.SeatPlayersAsync(Grains, 2);
        var (alice, bob) = (players[0].GetPrimaryKeyString(), players[1].GetPrimaryKeyString());
        var table = Grains.GetGrain<ITableGrain>(roomId);
        var observer = new RecordingObserver();
        var reference = Grains.CreateObjectReference<ITableObserver>(observer);

        // Bob has a connection on two edges.
        await table.Follow("edge-a", reference, 0, ITableGrain.NoSuchRoom, [alice, bob], []);
        await table.Follow("edge-b", reference, 0, ITableGrain.NoSuchRoom, [bob], []);
        Assert.Equal((true, true), await ConnectedAsync(table, alice, bob));

        // Alice's last connection (on edge a) closes: disconnected at once, and every follower hears it.
        await table.Follow("edge-a", reference, 0, ITableGrain.NoSuchRoom, [bob], [alice]);
        Assert.Equal((false, true), await ConnectedAsync(table, alice, bob));
        await observer.WaitForSeqAsync((await table.GetView(alice)).Value!.Seq);
        Assert.Contains(observer.Received, n => n.Event is { Kind: "connection", Connected: false } e && e.PlayerId == alice);

        // Edge a has none of them any more; edge b stops as it drains: Bob stays connected until its list lapses.
        await table.Unfollow("edge-a", [bob]);
        await table.Unsubscribe("edge-b");
        Assert.Equal((false, true), await ConnectedAsync(table, alice, bob));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await ConnectedAsync(table, alice, bob)).Bob)
        {
            Assert.True(DateTime.UtcNow < deadline, "bob was still connected 30 s after the only list naming him stopped being refreshed");
            await Task.Delay(100);
        }

        // Alice comes back through a third edge.
        await table.Follow("edge-c", reference, 0, ITableGrain.NoSuchRoom, [alice], []);
        Assert.Equal((true, false), await ConnectedAsync(table, alice, bob));
    }

    private static async Task<(bool Alice, bool Bob)> ConnectedAsync(ITableGrain table, string alice, string bob)
    {
        var view = (await table.GetView(alice)).Value!;
        return (view.Players.Single(p => p.PlayerId == alice).Connected, view.Players.Single(p => p.PlayerId == bob).Connected);
    }
}

using System.Collections.Immutable;
using CardGame.Contracts.Grains;
using CardGame.Edge.Cluster;
using CardGame.Edge.Delivery;
using CardGame.TestSupport;

namespace CardGame.Edge.Tests;

/// <summary>
/// A table counts each batch an edge takes through <see cref="ITableObserver.OnFollowedTablesEvents"/> as a refresh of
/// that edge's subscription, so the edge refreshes only the tables that delivered nothing to it within the period; it
/// refuses the batches of a table it does not follow, and that table drops it. An edge that does not say it takes them
/// (an earlier version, or <c>Edge:RefreshQuietTablesOnly</c> false) refreshes every table as before.
/// </summary>
[Collection(EdgesCollection.Name)]
public sealed class RenewingDeliveriesTests(EdgesFixture fixture)
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(2);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_edge_refreshes_only_the_tables_that_delivered_nothing_to_it_within_the_period_unless_it_does_not_say_so(bool quietOnly)
    {
        await using var edge = await StartEdgeAsync(quietOnly);
        await using var alice = await GameClient.SignInAsync(edge, "alice");
        await using var bob = await GameClient.SignInAsync(edge, "bob");
        await using var carol = await GameClient.SignInAsync(edge, "carol");
        var active = await SeatAsync("active", alice, bob);
        await alice.InvokeAsync<TableView>("StartGame", active);
        var quiet = await SeatAsync("quiet", carol);
        await Task.Delay(Period);

        // Three periods in which the active table delivers to the edge about every half second (moves made through the
        // table itself, as from another edge) and the quiet one delivers nothing.
        var (activeBefore, quietBefore) = (Follows(edge, active), Follows(edge, quiet));
        var deadline = DateTime.UtcNow + 3 * Period;
        long seq = 0;
        while (DateTime.UtcNow < deadline)
        {
            seq = (await MoveAsync(active)).Seq;
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }

        var activeRefreshes = Follows(edge, active) - activeBefore;
        var quietRefreshes = Follows(edge, quiet) - quietBefore;
        await alice.WaitForSeqAsync(active, seq, TimeSpan.FromSeconds(10));
        await bob.WaitForSeqAsync(active, seq, TimeSpan.FromSeconds(10));

        Assert.True(quietRefreshes >= 2, $"the quiet table was refreshed {quietRefreshes} times in 3 periods");
        if (quietOnly)
        {
            Assert.True(activeRefreshes == 0, $"the table that delivered every half second was refreshed {activeRefreshes} times in 3 periods");
            Assert.True(edge.Services.GetRequiredService<TableSubscriptions>().RefreshesSkipped >= 2);
        }
        else
        {
            Assert.True(activeRefreshes >= 2, $"an edge that does not say it takes renewing deliveries refreshed the active table {activeRefreshes} times in 3 periods");
            Assert.Equal(0, edge.Services.GetRequiredService<TableSubscriptions>().RefreshesSkipped);
        }
    }

    [Fact]
    public async Task A_table_that_forgot_the_edge_just_after_delivering_to_it_is_followed_again_within_a_period()
    {
        await using var edge = await StartEdgeAsync(quietOnly: true);
        await using var alice = await GameClient.SignInAsync(edge, "alice");
        await using var bob = await GameClient.SignInAsync(edge, "bob");
        var room = await SeatAsync("forgetful", alice, bob);
        await alice.InvokeAsync<TableView>("StartGame", room);
        for (var i = 0; i < 4; i++)
        {
            await MoveAsync(room);
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }

        // What a table reactivated without its memory looks like to an edge, right after a batch it took: it is gone.
        var moved = await MoveAsync(room);
        await alice.WaitForSeqAsync(room, moved.Seq, TimeSpan.FromSeconds(10));
        var before = Follows(edge, room);
        var forgotten = DateTime.UtcNow;
        await fixture.Grains.GetGrain<ITableGrain>(room).Unsubscribe(edge.Services.GetRequiredService<EdgeNode>().EdgeId);
        while (Follows(edge, room) == before)
        {
            Assert.True(DateTime.UtcNow - forgotten < 3 * Period, "the edge did not follow the table again within 3 periods");
            await Task.Delay(50);
        }

        var after = DateTime.UtcNow - forgotten;
        var next = await MoveAsync(room);
        await alice.WaitForSeqAsync(room, next.Seq, TimeSpan.FromSeconds(10));
        // A period (20 ticks after its last delivery) and what a loaded machine adds to the ticks and the call.
        Assert.True(after < Period + TimeSpan.FromSeconds(1.5), $"followed again {after.TotalSeconds:0.00} s after the table forgot the edge");
    }

    [Fact]
    public async Task An_edge_refuses_the_batches_of_a_table_it_no_longer_follows_and_the_table_drops_it()
    {
        await using var edge = await StartEdgeAsync(quietOnly: true);
        var fanOut = edge.Services.GetRequiredService<TableEventFanOut>();
        var followed = edge.Services.GetRequiredService<FollowedTables>();
        var alice = await GameClient.SignInAsync(edge, "alice");
        await using var bob = await GameClient.SignInAsync(fixture.Edge1, "bob");
        var room = await SeatAsync("left behind", alice, bob);
        var started = await alice.InvokeAsync<TableView>("StartGame", room);
        var observer = edge.Services.GetRequiredService<TableSubscriptions>().ObserverGiven(room)!;
        await alice.WaitForSeqAsync(room, started.Seq, TimeSpan.FromSeconds(10));

        // alice goes: the edge leaves the table; then the table is told to deliver to it again, as when its Unfollow
        // was lost (a subscription the edge's deliveries would renew for ever).
        await alice.DisposeAsync();
        await WaitUntilAsync(() => !followed.Follows(room));
        RequestContext.Set(ITableObserver.TakesTablesEvents, true);
        RequestContext.Set(ITableObserver.TakesFollowedTablesEvents, true);
        try
        {
            var edgeId = edge.Services.GetRequiredService<EdgeNode>().EdgeId;
            await fixture.Grains.GetGrain<ITableGrain>(room).Follow(edgeId, observer, 0, ITableGrain.NoSuchRoom, [], []);
        }
        finally
        {
            RequestContext.Clear();
        }

        await MoveAsync(room);
        await WaitUntilAsync(() => fanOut.NotFollowedBatches == 1);
        var last = await MoveAsync(room);
        last = await MoveAsync(room);
        await bob.WaitForSeqAsync(room, last.Seq, TimeSpan.FromSeconds(10));

        Assert.Equal(1, fanOut.NotFollowedBatches);
    }

    [Fact]
    public async Task Only_a_batch_through_the_renewing_call_counts_as_a_refresh_and_one_of_a_table_not_followed_is_refused()
    {
        var followed = fixture.Edge1.Services.GetRequiredService<FollowedTables>();
        var fanOut = fixture.Edge1.Services.GetRequiredService<TableEventFanOut>();
        await using var alice = await GameClient.SignInAsync(fixture.Edge1, "alice");
        var room = await SeatAsync("renewals", alice);
        var before = followed.LastRenewed(room)!.Value;
        await WaitUntilAsync(() => followed.Tick > before);
        var tick = followed.Tick;

        // A silo of the earlier version sends the calls of earlier versions: they renew nothing, so the edge refreshes.
        await fanOut.OnTablesEvents([new TableEventBatch(room, [])]);
        await fanOut.OnTableEvents(room, []);
        Assert.Equal(before, followed.LastRenewed(room));

        var refused = await fanOut.OnFollowedTablesEvents([new TableEventBatch(room, []), new TableEventBatch("made-up-room", [])]);
        Assert.Equal("made-up-room", Assert.Single(refused));
        Assert.True(followed.LastRenewed(room) >= tick, "the batch taken through the renewing call was not noted");
        Assert.Null(followed.LastRenewed("made-up-room"));
    }

    private Task<EdgeServer> StartEdgeAsync(bool quietOnly) => EdgeServer.StartAsync(new Dictionary<string, string?>(fixture.EdgeSettings)
    {
        ["Edge:SubscriptionRefreshSeconds"] = Period.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Edge:RefreshQuietTablesOnly"] = quietOnly ? "true" : "false",
    });

    private static async Task<string> SeatAsync(string name, params GameClient[] players)
    {
        var room = await players[0].InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest(name, Math.Max(2, players.Length)));
        foreach (var player in players)
        {
            await player.InvokeAsync<TableView>("JoinRoom", room.RoomId);
        }

        return room.RoomId;
    }

    /// <summary>The edge's <c>Follow</c> calls to the table so far (its debug log names each).</summary>
    private static int Follows(EdgeServer edge, string roomId) =>
        edge.Logs.Lines.Count(l => l.Contains($"Subscribed to room {roomId} at seq", StringComparison.Ordinal));

    /// <summary>A move of whoever's turn it is, made through the table itself (as from another edge): every edge gets its events through its observer.</summary>
    private async Task<TableView> MoveAsync(string roomId)
    {
        var table = fixture.Grains.GetGrain<ITableGrain>(roomId);
        var turn = (await table.GetView("observer")).Value!.Turn!;
        var view = (await table.GetView(turn)).Value!;
        var put = MoveChooser.ChoosePut(view);
        var result = put is { } move ? await table.Put(turn, move.Card, move.Suit) : await table.Take(turn);
        Assert.True(result.IsOk, $"{result.Error?.Code}: {result.Error?.Text}");
        return result.Value!;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition was not met in 30 s");
            await Task.Delay(20);
        }
    }
}

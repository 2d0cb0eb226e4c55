using System.Collections.Concurrent;
using System.Collections.Immutable;
using CardGame.Contracts.Grains;
using CardGame.Edge.Cluster;
using CardGame.Edge.Delivery;
using CardGame.TestSupport;
using Xunit.Abstractions;

namespace CardGame.Edge.Tests;

/// <summary>
/// A table counts each batch an edge takes through <see cref="ITableObserver.OnFollowedTablesEvents"/> as a refresh of
/// that edge's subscription, so the edge refreshes only the tables that delivered nothing to it within the period; it
/// refuses the batches of a table it does not follow, and that table drops it. An edge that does not say it takes them
/// (an earlier version, or <c>Edge:RefreshQuietTablesOnly</c> false) refreshes every table as before.
/// </summary>
[Collection(EdgesCollection.Name)]
public sealed class RenewingDeliveriesTests(EdgesFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(2);

    /// <summary>Refresh ticks in a period: <see cref="FollowedTables.Tick"/> counts one at each twentieth of it.</summary>
    private const int PeriodTicks = PeriodSlots.Count;

    /// <summary>The active table's moves come this many of the edge's ticks apart (about every half second).</summary>
    private const int MoveEveryTicks = 5;

    // Everything below is counted in the edge's own refresh ticks, not in wall-clock time: on a loaded machine (a 1-3 s
    // stop of the whole process, or moves that take seconds) a wall-clock window held fewer ticks than it was meant to,
    // and the table's moves came further apart than the half second asked for.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_edge_refreshes_only_the_tables_that_delivered_nothing_to_it_within_the_period_unless_it_does_not_say_so(bool quietOnly)
    {
        await using var edge = await StartEdgeAsync(quietOnly);
        var follows = new FollowTicks(edge);
        var followed = edge.Services.GetRequiredService<FollowedTables>();
        await using var alice = await GameClient.SignInAsync(edge, "alice");
        await using var bob = await GameClient.SignInAsync(edge, "bob");
        await using var carol = await GameClient.SignInAsync(edge, "carol");
        var active = await SeatAsync("active", alice, bob);
        await alice.InvokeAsync<TableView>("StartGame", active);
        var quiet = await SeatAsync("quiet", carol);

        // A period in which the active table starts delivering, then three periods in which it delivers to the edge
        // every quarter period (moves made through the table itself, as from another edge) and the quiet one delivers
        // nothing. Zero refreshes of the active table are owed only by a window in which it did deliver within every
        // period: a window in which a move took the edge more than a period of ticks to see is told and taken again.
        var renewals = new List<long>();
        await DeliverUntilAsync(active, alice, followed, followed.Tick + PeriodTicks, renewals);
        for (var window = 1; ; window++)
        {
            var from = followed.Tick;
            var to = from + (3 * PeriodTicks);
            var first = renewals.Count - 1;
            await DeliverUntilAsync(active, alice, followed, to, renewals);
            // The reconcile of tick `to` is over (its subscriptions logged) once the next tick has begun.
            await WaitUntilAsync(() => followed.Tick > to);
            await bob.WaitForSeqAsync(active, await LastSeqAsync(active), TimeSpan.FromSeconds(10));

            var activeRefreshes = follows.Between(active, from, to);
            var quietRefreshes = follows.Between(quiet, from, to);
            output.WriteLine($"window {window}, ticks {from}-{to}: the active table delivered at ticks {string.Join(", ", renewals.Skip(first))} and was refreshed {activeRefreshes} times, the quiet one {quietRefreshes} times");
            Assert.True(quietRefreshes >= 2, $"the quiet table was refreshed {quietRefreshes} times in 3 periods (ticks {from}-{to})");
            if (!quietOnly)
            {
                Assert.True(activeRefreshes >= 2, $"an edge that does not say it takes renewing deliveries refreshed the active table {activeRefreshes} times in 3 periods");
                Assert.Equal(0, edge.Services.GetRequiredService<TableSubscriptions>().RefreshesSkipped);
                return;
            }

            var longestGap = renewals.Skip(first).Zip(renewals.Skip(first + 1), (a, b) => b - a).Max();
            if (longestGap < PeriodTicks)
            {
                Assert.True(activeRefreshes == 0, $"the table that delivered every {MoveEveryTicks} ticks (at most {longestGap} apart) was refreshed {activeRefreshes} times in 3 periods (ticks {from}-{to})");
                Assert.True(edge.Services.GetRequiredService<TableSubscriptions>().RefreshesSkipped >= 2);
                return;
            }

            output.WriteLine($"window {window} (ticks {from}-{to}): two deliveries of the active table came {longestGap} ticks apart (a period is {PeriodTicks}); taken again");
            Assert.True(window < 5, $"in 5 windows of 3 periods the active table never delivered within every period (the last: {longestGap} ticks apart)");
        }
    }

    [Fact]
    public async Task A_table_that_forgot_the_edge_just_after_delivering_to_it_is_followed_again_within_a_period()
    {
        await using var edge = await StartEdgeAsync(quietOnly: true);
        var follows = new FollowTicks(edge);
        var followed = edge.Services.GetRequiredService<FollowedTables>();
        await using var alice = await GameClient.SignInAsync(edge, "alice");
        await using var bob = await GameClient.SignInAsync(edge, "bob");
        var room = await SeatAsync("forgetful", alice, bob);
        await alice.InvokeAsync<TableView>("StartGame", room);
        await DeliverUntilAsync(room, alice, followed, followed.Tick + (4 * MoveEveryTicks), []);

        // What a table reactivated without its memory looks like to an edge, right after a batch it took: it is gone.
        var moved = await MoveAsync(room);
        await alice.WaitForSeqAsync(room, moved.Seq, TimeSpan.FromSeconds(10));
        var delivered = followed.LastRenewed(room)!.Value;
        await fixture.Grains.GetGrain<ITableGrain>(room).Unsubscribe(edge.Services.GetRequiredService<EdgeNode>().EdgeId);
        var forgotten = follows.Of(room).Count;
        await WaitUntilAsync(() => follows.Of(room).Count > forgotten || followed.Tick > delivered + (3 * PeriodTicks));
        var again = follows.Of(room).Skip(forgotten).FirstOrDefault(long.MaxValue);

        output.WriteLine($"the table delivered last at tick {delivered}; followed again at tick {again}");
        var next = await MoveAsync(room);
        await alice.WaitForSeqAsync(room, next.Seq, TimeSpan.FromSeconds(10));
        // Its slot comes a period after its last delivery: counted in the edge's ticks, whatever the machine adds to them.
        Assert.True(again <= delivered + PeriodTicks,
            $"followed again at tick {(again == long.MaxValue ? "never" : again)}, {again - delivered} ticks after the table's last delivery (tick {delivered}); a period is {PeriodTicks}");
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

    /// <summary>
    /// Moves of the table of <paramref name="roomId"/> until the edge's tick <paramref name="until"/>, each
    /// <see cref="MoveEveryTicks"/> ticks after the edge took the previous one (<paramref name="client"/> has its event);
    /// adds the tick each was noted in to <paramref name="renewals"/> (an edge that says it takes renewing deliveries).
    /// </summary>
    private async Task DeliverUntilAsync(string roomId, GameClient client, FollowedTables followed, long until, List<long> renewals)
    {
        while (followed.Tick < until)
        {
            var seq = (await MoveAsync(roomId)).Seq;
            await client.WaitForSeqAsync(roomId, seq, TimeSpan.FromSeconds(30));
            var taken = followed.LastRenewed(roomId) is { } renewed && renewed != FollowedTables.Never ? renewed : followed.Tick;
            renewals.Add(taken);
            await WaitUntilAsync(() => followed.Tick >= taken + MoveEveryTicks);
        }
    }

    private async Task<long> LastSeqAsync(string roomId) => (await fixture.Grains.GetGrain<ITableGrain>(roomId).GetView("observer")).Value!.Seq;

    /// <summary>
    /// The edge's <c>Follow</c> calls (its debug log names each), with the refresh tick each was made in: a refresh
    /// logs its subscription inside the reconcile of its tick, before the next tick begins.
    /// </summary>
    private sealed class FollowTicks
    {
        private readonly ConcurrentQueue<(string Line, long Tick)> _follows = new();

        public FollowTicks(EdgeServer edge)
        {
            var followed = edge.Services.GetRequiredService<FollowedTables>();
            edge.Logs.Written += line =>
            {
                if (line.Contains("Subscribed to room ", StringComparison.Ordinal))
                {
                    _follows.Enqueue((line, followed.Tick));
                }
            };
        }

        /// <summary>The ticks of the follows of <paramref name="roomId"/> so far, in order.</summary>
        public List<long> Of(string roomId) => [.. _follows.Where(f => f.Line.Contains($"Subscribed to room {roomId} at seq", StringComparison.Ordinal)).Select(f => f.Tick)];

        /// <summary>The follows of <paramref name="roomId"/> made in ticks after <paramref name="from"/>, up to <paramref name="to"/>.</summary>
        public int Between(string roomId, long from, long to) => Of(roomId).Count(t => t > from && t <= to);
    }

    /// <summary>
    /// A move of whoever's turn it is, made through the table itself (as from another edge): every edge gets its events
    /// through its observer. Once a game is won the next one is dealt instead (a run of moves slowed down by a busy
    /// machine can outlast a game).
    /// </summary>
    private async Task<TableView> MoveAsync(string roomId)
    {
        var table = fixture.Grains.GetGrain<ITableGrain>(roomId);
        var observed = (await table.GetView("observer")).Value!;
        if (observed.Turn is not { } turn)
        {
            var dealt = await table.Start(observed.Players[0].PlayerId);
            Assert.True(dealt.IsOk, $"{dealt.Error?.Code}: {dealt.Error?.Text}");
            return dealt.Value!;
        }

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

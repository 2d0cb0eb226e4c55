using System.Text.Json;
using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using CardGame.TestSupport;
using Orleans.Core.Internal;
using Orleans.Runtime.Placement;

namespace CardGame.Grains.Tests.Cluster;

[Collection(ClusterCollection.Name)]
public sealed class ResumeAndRetryTests(ClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Grains;

    /// <summary>Moves and views go straight to the table as the player, as the edge sends them.</summary>
    private ITableGrain Table(string roomId) => Grains.GetGrain<ITableGrain>(roomId);

    [Fact]
    public async Task A_move_retried_with_the_same_moveId_is_applied_once()
    {
        var (roomId, players) = await GameDriver.SeatPlayersAsync(Grains, 2);
        var view = (await Table(roomId).Start(players[0].GetPrimaryKeyString())).Value!;
        var first = players.Single(p => p.GetPrimaryKeyString() == view.Turn);
        var second = players.Single(p => p != first);

        var took = await Table(roomId).Take(first.GetPrimaryKeyString(), "move-1");
        var retried = await Table(roomId).Take(first.GetPrimaryKeyString(), "move-1");
        Assert.True(took.IsOk && retried.IsOk);
        Assert.Equal(took.Value!.Seq, retried.Value!.Seq);
        Assert.Equal(took.Value.Hand, retried.Value.Hand);

        var secondView = (await Table(roomId).GetView(second.GetPrimaryKeyString())).Value!;
        var put = MoveChooser.ChoosePut(secondView);
        var moved = put is { } p ? await Table(roomId).Put(second.GetPrimaryKeyString(), p.Card, p.Suit, "move-1") : await Table(roomId).Take(second.GetPrimaryKeyString(), "move-1");
        var again = put is { } q ? await Table(roomId).Put(second.GetPrimaryKeyString(), q.Card, q.Suit, "move-1") : await Table(roomId).Take(second.GetPrimaryKeyString(), "move-1");
        Assert.True(moved.IsOk, moved.Error?.Text);
        Assert.True(again.IsOk, again.Error?.Text);
        Assert.Equal(moved.Value!.Seq, again.Value!.Seq);
        Assert.Equal(moved.Value.Hand, again.Value.Hand);

        // A new id is a new move: now out of turn.
        Assert.Equal(ErrorCodes.NotYourTurn, (await Table(roomId).Take(second.GetPrimaryKeyString(), "move-2")).Error?.Code);
        Assert.Equal(ErrorCodes.BadRequest, (await Table(roomId).Take(second.GetPrimaryKeyString(), new string('m', 65))).Error?.Code);
    }

    [Fact]
    public async Task Resume_returns_the_missed_events_in_order_with_private_parts_for_the_caller_only()
    {
        var (roomId, players) = await GameDriver.SeatPlayersAsync(Grains, 3);
        var me = players[2];
        var lastSeen = (await Table(roomId).GetView(me.GetPrimaryKeyString())).Value!.Seq;
        await Table(roomId).Start(players[0].GetPrimaryKeyString());
        TableView latest = null!;
        for (var i = 0; i < 9; i++)
        {
            latest = await GameDriver.PlayOneMoveAsync(Grains, roomId);
        }

        var resumed = (await Table(roomId).Resume(me.GetPrimaryKeyString(), lastSeen)).Value!;

        Assert.Null(resumed.View);
        var events = resumed.Events!;
        Assert.Equal(Enumerable.Range((int)lastSeen + 1, (int)(latest.Seq - lastSeen)).Select(s => (long)s), events.Select(e => e.Seq));
        var myId = me.GetPrimaryKeyString();
        Assert.Equal(5, events.Single(e => e.Kind == EventKinds.Started).Hand!.Count);
        Assert.All(events.Where(e => e.Kind == EventKinds.Took && e.PlayerId != myId), e => Assert.Null(e.Card));
        Assert.Empty((await Table(roomId).Resume(me.GetPrimaryKeyString(), latest.Seq)).Value!.Events!);
        Assert.Equal(ErrorCodes.BadRequest, (await Table(roomId).Resume(me.GetPrimaryKeyString(), latest.Seq + 1)).Error?.Code);
    }

    [Fact]
    public async Task A_table_that_migrates_carries_its_log_and_resumes_every_viewer_with_the_same_events_as_before()
    {
        var (roomId, players) = await GameDriver.SeatPlayersAsync(Grains, 3);
        await Table(roomId).Start(players[0].GetPrimaryKeyString());
        for (var i = 0; i < 12; i++)
        {
            await GameDriver.PlayOneMoveAsync(Grains, roomId);
        }

        // Every seat, and someone watching: each sees its own hand and taken cards only, from the first event on.
        var viewers = players.Select(p => p.GetPrimaryKeyString()).Append("p-watching").ToList();
        async Task<List<string>> AnswersAsync() =>
        [
            .. await Task.WhenAll(viewers.Select(async v => JsonSerializer.Serialize((await Table(roomId).Resume(v, 0)).Value))),
            JsonSerializer.Serialize(Notifications(await Grains.GetGrain<ITableEventLog>(roomId).EventsAfter(0))),
        ];
        var before = await AnswersAsync();
        Assert.All(before.Take(viewers.Count), answer => Assert.Contains("\"events\":[{", answer, StringComparison.OrdinalIgnoreCase));

        var host = await HostOfAsync(roomId) ?? throw new InvalidOperationException($"table {roomId} is active on no single silo");
        var other = fixture.Cluster.GetActiveSilos().Select(s => s.SiloAddress).First(s => !s.Equals(host));
        RequestContext.Set(IPlacementDirector.PlacementHintKey, other);
        await Table(roomId).Cast<IGrainManagementExtension>().MigrateOnIdle();
        RequestContext.Clear();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!other.Equals(await HostOfAsync(roomId)))
        {
            Assert.True(DateTime.UtcNow < deadline, "the table did not move");
            await Task.Delay(20);
        }

        Assert.Equal(before, await AnswersAsync());
    }

    /// <summary>A notification as it travels, every member (the hands in player order).</summary>
    private static object? Notifications(IReadOnlyList<TableNotification>? notifications) => notifications?.Select(n => new
    {
        n.Event,
        Recipients = n.Recipients.ToArray(),
        Hands = n.Hands?.OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => new { h.Key, Cards = h.Value.ToArray() }).ToArray(),
    }).ToList();

    private async Task<SiloAddress?> HostOfAsync(string roomId)
    {
        var tableId = Table(roomId).GetGrainId();
        var stats = await Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        var hosts = stats.Where(s => s.GrainId == tableId).Select(s => s.SiloAddress).Distinct().ToList();
        return hosts.Count == 1 ? hosts[0] : null;
    }

    [Fact]
    public async Task Resume_after_the_table_was_reactivated_returns_a_fresh_view()
    {
        var (roomId, players) = await GameDriver.SeatPlayersAsync(Grains, 2);
        await Table(roomId).Start(players[0].GetPrimaryKeyString());
        var before = (await Table(roomId).GetView(players[1].GetPrimaryKeyString())).Value!;

        await Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var resumed = (await Table(roomId).Resume(players[1].GetPrimaryKeyString(), 1)).Value!;

        Assert.Null(resumed.Events);
        Assert.Equal(before.Seq, resumed.View!.Seq);
        Assert.Equal(before.Hand, resumed.View.Hand);
    }

    [Fact]
    public async Task A_table_reactivated_without_its_memory_sends_an_edge_that_subscribes_again_the_events_published_meanwhile()
    {
        var (roomId, players) = await GameDriver.SeatPlayersAsync(Grains, 2);
        var edge = new RecordingObserver();
        var reference = Grains.CreateObjectReference<ITableObserver>(edge);
        var firstSeq = await Table(roomId).Subscribe("edge-gap", reference) + 1;
        await Table(roomId).Start(players[0].GetPrimaryKeyString());
        var before = await GameDriver.PlayOneMoveAsync(Grains, roomId);
        await edge.WaitForSeqAsync(before.Seq);

        // The table leaves memory without handing anything over (as when a migration fails while its silo stops): its
        // next activation knows no edge, so the next move is published to nobody.
        await Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var missed = await GameDriver.PlayOneMoveAsync(Grains, roomId);
        Assert.True(missed.Seq > before.Seq);

        // The edge's next refresh says what it has passed on: the table sends what it published meanwhile first.
        await Table(roomId).SubscribeAfter("edge-gap", reference, 0, before.Seq);
        var after = await GameDriver.PlayOneMoveAsync(Grains, roomId);
        await edge.WaitForSeqAsync(after.Seq);

        Assert.Equal(Enumerable.Range((int)firstSeq, (int)(after.Seq - firstSeq + 1)).Select(s => (long)s), edge.Received.Select(n => n.Event.Seq));
    }
}

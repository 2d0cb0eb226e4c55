using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using CardGame.TestSupport;

namespace CardGame.Grains.Tests.Cluster;

[Collection(ClusterCollection.Name)]
public sealed class ResumeAndRetryTests(ClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Grains;

    [Fact]
    public async Task A_move_retried_with_the_same_moveId_is_applied_once()
    {
        var (roomId, players) = await GameDriver.SeatPlayersAsync(Grains, 2);
        var view = (await players[0].StartGame(roomId)).Value!;
        var first = players.Single(p => p.GetPrimaryKeyString() == view.Turn);
        var second = players.Single(p => p != first);

        var took = await first.TakeCard(roomId, "move-1");
        var retried = await first.TakeCard(roomId, "move-1");
        Assert.True(took.IsOk && retried.IsOk);
        Assert.Equal(took.Value!.Seq, retried.Value!.Seq);
        Assert.Equal(took.Value.Hand, retried.Value.Hand);

        var secondView = (await second.GetTable(roomId)).Value!;
        var put = MoveChooser.ChoosePut(secondView);
        var moved = put is { } p ? await second.PutCard(roomId, p.Card, p.Suit, "move-1") : await second.TakeCard(roomId, "move-1");
        var again = put is { } q ? await second.PutCard(roomId, q.Card, q.Suit, "move-1") : await second.TakeCard(roomId, "move-1");
        Assert.True(moved.IsOk, moved.Error?.Text);
        Assert.True(again.IsOk, again.Error?.Text);
        Assert.Equal(moved.Value!.Seq, again.Value!.Seq);
        Assert.Equal(moved.Value.Hand, again.Value.Hand);

        // A new id is a new move: now out of turn.
        Assert.Equal(ErrorCodes.NotYourTurn, (await second.TakeCard(roomId, "move-2")).Error?.Code);
        Assert.Equal(ErrorCodes.BadRequest, (await second.TakeCard(roomId, new string('m', 65))).Error?.Code);
    }

    [Fact]
    public async Task Resume_returns_the_missed_events_in_order_with_private_parts_for_the_caller_only()
    {
        var (roomId, players) = await GameDriver.SeatPlayersAsync(Grains, 3);
        var me = players[2];
        var lastSeen = (await me.GetTable(roomId)).Value!.Seq;
        await players[0].StartGame(roomId);
        TableView latest = null!;
        for (var i = 0; i < 9; i++)
        {
            latest = await GameDriver.PlayOneMoveAsync(Grains, roomId);
        }

        var resumed = (await me.Resume(roomId, lastSeen)).Value!;

        Assert.Null(resumed.View);
        var events = resumed.Events!;
        Assert.Equal(Enumerable.Range((int)lastSeen + 1, (int)(latest.Seq - lastSeen)).Select(s => (long)s), events.Select(e => e.Seq));
        var myId = me.GetPrimaryKeyString();
        Assert.Equal(5, events.Single(e => e.Kind == EventKinds.Started).Hand!.Count);
        Assert.All(events.Where(e => e.Kind == EventKinds.Took && e.PlayerId != myId), e => Assert.Null(e.Card));
        Assert.Empty((await me.Resume(roomId, latest.Seq)).Value!.Events!);
        Assert.Equal(ErrorCodes.BadRequest, (await me.Resume(roomId, latest.Seq + 1)).Error?.Code);
    }

    [Fact]
    public async Task Resume_after_the_table_was_reactivated_returns_a_fresh_view()
    {
        var (roomId, players) = await GameDriver.SeatPlayersAsync(Grains, 2);
        await players[0].StartGame(roomId);
        var before = (await players[1].GetTable(roomId)).Value!;

        await Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var resumed = (await players[1].Resume(roomId, 1)).Value!;

        Assert.Null(resumed.Events);
        Assert.Equal(before.Seq, resumed.View!.Seq);
        Assert.Equal(before.Hand, resumed.View.Hand);
    }
}

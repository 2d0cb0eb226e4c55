using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using CardGame.TestSupport;

namespace CardGame.Grains.Tests.Cluster;

/// <summary>
/// An edge that asks for a move's events with the answer (<see cref="ITableGrain.EventsWithAnswer"/>) gets them there,
/// and the table sends them only to the other subscribed edges; an edge that does not ask (an earlier version) gets them
/// through its observer as before; and an edge with something still queued gets them behind it, in order.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class EventsWithAnswerTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    private IGrainFactory Grains => fixture.Grains;

    [Fact]
    public async Task A_move_whose_edge_asks_brings_its_events_with_the_answer_and_only_the_other_edges_observers_get_them()
    {
        var (roomId, mover, other) = await DealtTableAsync();
        await SubscribeAsync(roomId, "edge-mover", mover);
        await SubscribeAsync(roomId, "edge-other", other);

        var moved = await MoveAsync(roomId, asking: "edge-mover");

        var events = Assert.IsAssignableFrom<IReadOnlyList<TableNotification>>(moved.Events);
        Assert.NotEmpty(events);
        Assert.Equal(moved.Value!.Seq, events[^1].Event.Seq);
        await other.WaitForSeqAsync(moved.Value.Seq, Long);
        Assert.Equal(events.Select(n => n.Event.Seq), other.Arrived.Select(n => n.Event.Seq).Where(s => s > events[0].Event.Seq - 1));

        // A later move the edge does not take with an answer reaches its observer; a batch of the earlier one would have come first.
        var next = await MoveAsync(roomId, asking: null);
        await mover.WaitForSeqAsync(next.Value!.Seq, Long);
        Assert.DoesNotContain(mover.Arrived, n => n.Event.Seq >= events[0].Event.Seq && n.Event.Seq <= events[^1].Event.Seq);
    }

    [Fact]
    public async Task A_move_whose_edge_does_not_ask_brings_no_events_and_its_observer_gets_them_as_before()
    {
        var (roomId, edge, _) = await DealtTableAsync();
        await SubscribeAsync(roomId, "edge-earlier", edge);
        var before = await SeqAsync(roomId);

        var moved = await MoveAsync(roomId, asking: null);

        Assert.Null(moved.Events);
        await edge.WaitForSeqAsync(moved.Value!.Seq, Long);
        Assert.Equal(Range(before + 1, moved.Value.Seq), edge.Received.Select(n => n.Event.Seq).Where(s => s > before));
    }

    [Fact]
    public async Task A_move_whose_edge_still_has_a_batch_in_flight_brings_no_events_and_they_follow_that_batch_through_the_observer()
    {
        var (roomId, edge, _) = await DealtTableAsync();
        await SubscribeAsync(roomId, "edge-slow", edge);
        var before = await SeqAsync(roomId);

        var release = edge.HoldNextCall();
        await MoveAsync(roomId, asking: null);
        await edge.HeldCallArrived.Task.WaitAsync(Long);
        var moved = await MoveAsync(roomId, asking: "edge-slow");
        Assert.Null(moved.Events);
        release.SetResult();

        await edge.WaitForSeqAsync(moved.Value!.Seq, Long);
        Assert.Equal(Range(before + 1, moved.Value.Seq), edge.Received.Select(n => n.Event.Seq).Where(s => s > before));
        Assert.Equal(0, edge.Arrived.Count(n => n.Event.Seq > before) - edge.Received.Count(n => n.Event.Seq > before));
    }

    [Fact]
    public async Task Two_edges_each_taking_their_own_moves_with_the_answer_pass_on_every_event_once_in_order()
    {
        // Each edge hands on what its answers bring and what its observer brings, through one sequencer, as the edge does;
        // the moves alternate between the edges (each player on one), some asking while the other edge's batch is in flight.
        var (roomId, a, b) = await DealtTableAsync();
        await SubscribeAsync(roomId, "edge-a", a);
        await SubscribeAsync(roomId, "edge-b", b);
        var before = await SeqAsync(roomId);
        var edgeOf = new Dictionary<string, (string Id, RecordingObserver Observer)>();
        var view = (await Grains.GetGrain<ITableGrain>(roomId).GetView("observer")).Value!;
        edgeOf[view.Players[0].PlayerId] = ("edge-a", a);
        edgeOf[view.Players[1].PlayerId] = ("edge-b", b);

        var last = before;
        var answered = 0;
        for (var i = 0; i < 40; i++)
        {
            var turn = (await Grains.GetGrain<ITableGrain>(roomId).GetView("observer")).Value!;
            if (turn.Phase == Phases.Finished)
            {
                break;
            }

            var (edgeId, observer) = edgeOf[turn.Turn!];
            var moved = await MoveAsync(roomId, asking: edgeId);
            if (moved.Events is { } events)
            {
                answered++;
                observer.TakeAnswered(roomId, events);
            }

            last = moved.Value!.Seq;
        }

        await a.WaitForSeqAsync(last, Long);
        await b.WaitForSeqAsync(last, Long);
        Assert.True(answered > 0, "no move brought its events with the answer");
        Assert.Equal(Range(before + 1, last), a.Received.Select(n => n.Event.Seq).Where(s => s > before));
        Assert.Equal(Range(before + 1, last), b.Received.Select(n => n.Event.Seq).Where(s => s > before));
    }

    private static IEnumerable<long> Range(long from, long to)
    {
        for (var seq = from; seq <= to; seq++)
        {
            yield return seq;
        }
    }

    /// <summary>A 2-seat table, dealt, and two recording edges (not subscribed yet).</summary>
    private async Task<(string RoomId, RecordingObserver First, RecordingObserver Second)> DealtTableAsync()
    {
        var (roomId, players) = await GameDriver.SeatPlayersAsync(Grains, 2, seats: 2);
        var started = await Grains.GetGrain<ITableGrain>(roomId).Start(players[0].GetPrimaryKeyString());
        Assert.True(started.IsOk, started.Error?.Text);
        return (roomId, new RecordingObserver(), new RecordingObserver());
    }

    private async Task SubscribeAsync(string roomId, string edgeId, RecordingObserver observer)
    {
        RequestContext.Set(ITableObserver.TakesTablesEvents, true);
        var subscribing = Grains.GetGrain<ITableGrain>(roomId).SubscribeAfter(edgeId, Grains.CreateObjectReference<ITableObserver>(observer), 0, ITableGrain.NoSuchRoom);
        RequestContext.Clear();
        Assert.NotEqual(ITableGrain.NoSuchRoom, await subscribing);
    }

    private async Task<long> SeqAsync(string roomId) => (await Grains.GetGrain<ITableGrain>(roomId).GetView("observer")).Value!.Seq;

    /// <summary>One move for whoever's turn it is, sent as an edge sends it: asking for its events with the answer when <paramref name="asking"/> names the edge.</summary>
    private async Task<GameResult<TableView>> MoveAsync(string roomId, string? asking)
    {
        var table = Grains.GetGrain<ITableGrain>(roomId);
        var turn = (await table.GetView("observer")).Value!.Turn ?? throw new InvalidOperationException("no one's turn");
        var view = (await table.GetView(turn)).Value!;
        var put = MoveChooser.ChoosePut(view);
        if (asking is not null)
        {
            RequestContext.Set(ITableGrain.EventsWithAnswer, asking);
        }

        var sent = put is { } move ? table.Put(turn, move.Card, move.Suit) : table.Take(turn);
        RequestContext.Clear();
        var result = await sent;
        Assert.True(result.IsOk, $"{result.Error?.Code}: {result.Error?.Text}");
        return result;
    }
}

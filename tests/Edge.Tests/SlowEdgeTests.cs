using CardGame.Contracts.Grains;
using CardGame.Edge.Delivery;
using CardGame.TestSupport;
using Xunit.Abstractions;

namespace CardGame.Edge.Tests;

/// <summary>
/// An edge too slow to hand table events to its connections: its queue stays within <c>Edge:MaxQueuedTableEvents</c>,
/// the table drops it as designed (refused deliveries count as failures), and once it subscribes again the events it
/// missed meanwhile (more than the table resends on a subscription) are fetched from the table's log before the next one
/// is passed on: its clients see every event, once, in order, with no gap.
/// </summary>
[Collection(EdgesCollection.Name)]
public sealed class SlowEdgeTests(EdgesFixture fixture, ITestOutputHelper output)
{
    private const int Bound = 20;

    [Fact]
    public async Task A_slow_edge_queues_at_most_its_bound_is_dropped_by_the_table_and_its_clients_still_get_every_event_in_order()
    {
        await using var edge = await EdgeServer.StartAsync(new Dictionary<string, string?>(fixture.EdgeSettings)
        {
            ["Edge:MaxQueuedTableEvents"] = Bound.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var fanOut = edge.Services.GetRequiredService<TableEventFanOut>();
        await using var alice = await GameClient.SignInAsync(edge, "alice");
        await using var bob = await GameClient.SignInAsync(edge, "bob");
        var room = (await alice.InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest("slow edge", 2))).RoomId;
        await alice.InvokeAsync<TableView>("JoinRoom", room);
        await bob.InvokeAsync<TableView>("JoinRoom", room);
        var started = await alice.InvokeAsync<TableView>("StartGame", room);
        await bob.WaitForSeqAsync(room, started.Seq);
        var table = fixture.Grains.GetGrain<ITableGrain>(room);

        // The edge stops handing events on (as one starved of CPU would); the table keeps playing, fast.
        var slow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fanOut.BeforeDelivery = () => slow.Task;
        // The table drops an edge after 3 failed deliveries of a batch in a row (EdgeSubscribers: it sends a refused
        // batch again after 100, then 200 ms); the edge subscribes again every 2 s here, and is refused and dropped
        // again while it is still held.
        var moves = 0;
        var until = DateTime.UtcNow.AddSeconds(30);
        while (fanOut.RefusedBatches < 3 && DateTime.UtcNow < until)
        {
            await PlayOneMoveAsync(table, room);
            moves++;
            await Task.Delay(10);
        }

        var refused = fanOut.RefusedBatches;
        for (var i = 0; i < 30; i++)
        {
            await PlayOneMoveAsync(table, room);
            moves++;
        }

        output.WriteLine($"{moves} moves while the edge was held: {refused} batches refused after {moves - 30} moves, {fanOut.RefusedBatches} after 30 more; queue peaked at {fanOut.PeakQueuedEvents} events (bound {Bound}), {fanOut.QueuedEvents} queued");
        Assert.True(refused >= 3, $"{refused} refusals in {moves} moves");
        Assert.InRange(fanOut.PeakQueuedEvents, 1, Bound);
        Assert.InRange(fanOut.QueuedEvents, 1, Bound);

        // The edge catches up; at its next refresh it subscribes again and events flow live once more. A move's event
        // reaches the clients through the edge after the move's answer reaches this test straight from the table: each
        // move waits a while for its event (it comes within moments once the edge is subscribed again) before the next.
        fanOut.BeforeDelivery = null;
        slow.SetResult();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        long current;
        while (true)
        {
            current = (await PlayOneMoveAsync(table, room)).Seq;
            if (await BothReceiveAsync(alice, bob, room, current, TimeSpan.FromSeconds(3)))
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, "the edge did not receive the table's events again");
        }

        // Without the fetch, each client saw a gap here (the events published while the table had dropped the edge,
        // more than it resends on a subscription) and had to fill it with Resume. Now the edge fetched them first.
        output.WriteLine($"gaps the edge filled from the table's log: {fanOut.GapsFilled}, left: {fanOut.GapsLeft}; {moves} moves, up to seq {current}");
        Assert.True(current - started.Seq < CardGame.Grains.TableGrain.EventsRemembered, $"{current - started.Seq} events: more than the table remembers, so this run proves nothing");
        Assert.True(fanOut.GapsFilled >= 1, "no gap was found: the edge was never dropped");
        Assert.Equal(0, fanOut.GapsLeft);
        foreach (var client in new[] { alice, bob })
        {
            var seqs = client.EventsOf(room).Select(e => e.Seq).Where(s => s > started.Seq).ToList();
            Assert.Equal(GameTests.LongRange(started.Seq + 1, seqs.Max()), seqs);
            Assert.True(seqs.Max() >= current);
        }
    }

    /// <summary>Whether both clients receive the event <paramref name="seq"/> of <paramref name="room"/> within <paramref name="wait"/>.</summary>
    private static async Task<bool> BothReceiveAsync(GameClient alice, GameClient bob, string room, long seq, TimeSpan wait)
    {
        var until = DateTime.UtcNow + wait;
        while (!(alice.EventsOf(room).Any(e => e.Seq == seq) && bob.EventsOf(room).Any(e => e.Seq == seq)))
        {
            if (DateTime.UtcNow > until)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }

    /// <summary>One move by whoever's turn it is, straight on the table (as an edge sends it); a new game when one ends.</summary>
    private static async Task<TableView> PlayOneMoveAsync(ITableGrain table, string room)
    {
        var view = (await table.GetView("observer")).Value!;
        if (view.Phase != Phases.Playing)
        {
            return Ok(await table.Start(view.Players[0].PlayerId));
        }

        var mine = Ok(await table.GetView(view.Turn!));
        return MoveChooser.ChoosePut(mine) is { } put
            ? Ok(await table.Put(view.Turn!, put.Card, put.Suit))
            : Ok(await table.Take(view.Turn!));
    }

    private static TableView Ok(GameResult<TableView> result) =>
        result.Value ?? throw new InvalidOperationException($"{result.Error?.Code}: {result.Error?.Text}");
}

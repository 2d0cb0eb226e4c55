using System.Diagnostics;
using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using CardGame.TestSupport;
using Xunit.Abstractions;

namespace CardGame.Grains.Tests.Cluster;

/// <summary>Its own 2-silo cluster: the test stops a silo gracefully (as an operator's planned stop does).</summary>
public sealed class SiloStopTests(ClusterFixture fixture, ITestOutputHelper output) : IClassFixture<ClusterFixture>
{
    /// <summary>How long a call may go unanswered before it is sent again (the edges' <c>Edge:HedgeAfterMilliseconds</c> is 1 s).</summary>
    private static readonly TimeSpan RepeatAfter = TimeSpan.FromSeconds(3);

    private const int MaxAttempts = 5;

    private readonly List<TimeSpan> _calls = [];
    private int _repeated;

    private IGrainFactory Grains => fixture.Grains;

    [Fact]
    public async Task A_table_whose_silo_stops_gracefully_moves_in_memory_with_its_resume_log_and_edge_subscriptions()
    {
        var (roomId, players) = await GameDriver.SeatPlayersAsync(Grains, 3);
        var table = Grains.GetGrain<ITableGrain>(roomId);
        var edge = new RecordingObserver();
        var firstSeq = await table.Subscribe("edge-a", Grains.CreateObjectReference<ITableObserver>(edge)) + 1;
        await table.Start(players[0].GetPrimaryKeyString());
        for (var i = 0; i < 10; i++)
        {
            await PlayOrDealAsync(roomId, players[0]);
        }

        _calls.Clear();

        var seqBeforeStop = (await table.GetView("observer")).Value!.Seq;
        var host = await HostOfAsync(roomId);
        var victim = fixture.Cluster.Silos.Single(s => s.SiloAddress.Equals(host));

        // Keep playing while the table's silo stops, timing every call a player's action makes (look, then move).
        var stopping = Stopwatch.StartNew();
        var stop = fixture.Cluster.StopSiloAsync(victim);
        var movesAfterStop = 0;
        // Resume answers with events only for the last TableGrain.EventsRemembered of them (a view past that, whatever
        // moved), so the moves while the silo stops stay well inside it: a fresh-clone run made some 270 in a 3.3 s
        // stop and got a view. Past the budget the players only look until the stop is over, then make 10 more moves.
        var budget = seqBeforeStop + TableGrain.EventsRemembered - 64;
        while (!stop.IsCompleted || movesAfterStop++ < 10)
        {
            if (stop.IsCompleted || (await TimedAsync(() => table.GetView("observer"))).Value!.Seq < budget)
            {
                await PlayOrDealAsync(roomId, players[0]);
            }
        }

        output.WriteLine($"the silo stopped in {stopping.Elapsed.TotalMilliseconds:F0} ms");
        await stop;
        // A figure, not an assertion: on this shared machine it measures the load as much as the migration.
        output.WriteLine($"longest of {_calls.Count} calls while the silo stopped: {_calls.Max().TotalMilliseconds:F0} ms; {_repeated} sent again after {RepeatAfter.TotalSeconds:F0} s without an answer");
        Assert.NotEqual(host, await HostOfAsync(roomId));

        // The resume log came along: a client that last saw the seq before the stop gets events, not a snapshot.
        var lastSeq = (await table.GetView("observer")).Value!.Seq;
        var resumed = await table.Resume(players[1].GetPrimaryKeyString(), seqBeforeStop);
        Assert.True(resumed.IsOk, resumed.Error?.Text);
        Assert.Null(resumed.Value!.View);
        Assert.Equal(Range(seqBeforeStop + 1, lastSeq), resumed.Value.Events!.Select(e => e.Seq));

        // So did the edge's subscription: it passes on every event once, in order, across the move, up to the last. A
        // batch in flight as the silo stopped stays queued until the edge takes it, travels with the table and is sent
        // again; the edge drops what it had already (printed: the events that arrived twice).
        await edge.WaitForSeqAsync(lastSeq);
        Assert.Equal(Range(firstSeq, lastSeq), edge.Received.Select(n => n.Event.Seq));
        output.WriteLine($"events sent again across the move and dropped by the edge as already seen: {edge.Arrived.Count - edge.Received.Count}");
    }

    /// <summary>One move by whoever's turn it is, as a client makes it (its view, then the move), or a new deal.</summary>
    private async Task PlayOrDealAsync(string roomId, IPlayerGrain dealer)
    {
        var table = Grains.GetGrain<ITableGrain>(roomId);
        var turn = (await TimedAsync(() => table.GetView("observer"))).Value!.Turn;
        if (turn is null)
        {
            // A deal is not repeatable (a second one is refused once the first has dealt).
            var dealt = await TimedAsync(() => table.Start(dealer.GetPrimaryKeyString()), repeatable: false);
            Assert.True(dealt.IsOk, dealt.Error?.Text);
            return;
        }

        var view = (await TimedAsync(() => table.GetView(turn))).Value!;
        var moveId = Guid.NewGuid().ToString("N");
        var moved = MoveChooser.ChoosePut(view) is { } put
            ? await TimedAsync(() => table.Put(turn, put.Card, put.Suit, moveId))
            : await TimedAsync(() => table.Take(turn, moveId));
        Assert.True(moved.IsOk, moved.Error?.ToString());
    }

    /// <summary>
    /// Times a call. A <paramref name="repeatable"/> one (a view, or a move with its <c>moveId</c>) is sent again, as an
    /// edge does (<c>HedgedCalls</c>), when no answer came within <see cref="RepeatAfter"/>: a stopping silo may drop the
    /// answer of a call that reached the table just before it moved (a run once waited the full 30 s response timeout
    /// for a view). The first answer counts; the time includes the wait.
    /// </summary>
    private async Task<T> TimedAsync<T>(Func<Task<T>> call, bool repeatable = true)
    {
        var timer = Stopwatch.StartNew();
        List<Task<T>> attempts = [call()];
        while (!repeatable || !attempts.Any(a => a.IsCompletedSuccessfully))
        {
            if (!repeatable || attempts.All(a => a.IsCompleted))
            {
                // Not to be repeated, or every attempt failed: its outcome (a failure throws).
                await attempts[^1];
                break;
            }

            var wait = Task.Delay(RepeatAfter);
            if (await Task.WhenAny([.. attempts.Where(a => !a.IsCompleted), wait]) == wait && attempts.Count < MaxAttempts)
            {
                attempts.Add(call());
                _repeated++;
            }
        }

        _calls.Add(timer.Elapsed);
        return await (repeatable ? attempts.First(a => a.IsCompletedSuccessfully) : attempts[^1]);
    }

    private static IEnumerable<long> Range(long first, long last) => Enumerable.Range(0, (int)(last - first + 1)).Select(i => first + i);

    private async Task<SiloAddress> HostOfAsync(string roomId)
    {
        var tableId = Grains.GetGrain<ITableGrain>(roomId).GetGrainId();
        var stats = await Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        return stats.Single(s => s.GrainId == tableId).SiloAddress;
    }
}

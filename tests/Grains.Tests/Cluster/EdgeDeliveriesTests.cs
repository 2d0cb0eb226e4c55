using CardGame.Contracts.Grains;
using CardGame.TestSupport;
using Orleans.Core.Internal;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Placement;
using Orleans.TestingHost;

namespace CardGame.Grains.Tests.Cluster;

/// <summary>
/// A silo sends the event batches its tables queue for one edge while a call to that edge is in flight together, in one
/// call (<see cref="EdgeDeliveries"/>): fewer calls and answers than batches, every event still arriving once per table
/// in <c>seq</c> order, a slow edge delaying only itself, an edge of the earlier version getting a call per batch, and
/// a table that migrates while its batch waits in the silo losing nothing.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class EdgeDeliveriesTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    private IGrainFactory Grains => fixture.Grains;

    [Fact]
    public async Task Batches_of_many_tables_to_one_edge_go_together_while_a_call_is_in_flight_and_arrive_complete_and_in_order()
    {
        var edge = new RecordingObserver();
        var reference = Grains.CreateObjectReference<ITableObserver>(edge);
        var tables = await DealtTablesAsync(24);
        await SubscribeAllAsync(tables, "edge-a", reference, takesTablesEvents: true);
        var first = await LastSeqsAsync(tables);

        // The edge is slow to answer one call: the batches its silo's tables publish meanwhile wait, and go in one call.
        var release = edge.HoldNextCall();
        await GameDriver.PlayOneMoveAsync(Grains, tables[0]);
        await edge.HeldCallArrived.Task.WaitAsync(Long);
        await Task.WhenAll(tables.Skip(1).Select(t => GameDriver.PlayOneMoveAsync(Grains, t)));
        release.SetResult();

        // Then all of them play at once.
        await PlayRoundsAsync(tables, 5);
        await WaitForAllAsync(edge, tables);

        AssertEveryEventOnceInOrder(edge, tables, first);
        Assert.True(edge.CallsOfSeveral >= 1, "no call carried several tables' batches");
        Assert.True(edge.Calls < edge.Batches, $"{edge.Calls} calls for {edge.Batches} batches");
    }

    [Fact]
    public async Task An_edge_slow_to_answer_delays_only_itself()
    {
        var slow = new RecordingObserver();
        var fast = new RecordingObserver();
        var tables = await DealtTablesAsync(8);
        await SubscribeAllAsync(tables, "edge-slow", Grains.CreateObjectReference<ITableObserver>(slow), takesTablesEvents: true);
        await SubscribeAllAsync(tables, "edge-fast", Grains.CreateObjectReference<ITableObserver>(fast), takesTablesEvents: true);
        var first = await LastSeqsAsync(tables);

        var release = slow.HoldNextCall();
        await GameDriver.PlayOneMoveAsync(Grains, tables[0]);
        await slow.HeldCallArrived.Task.WaitAsync(Long);
        await PlayRoundsAsync(tables, 3);

        // The fast edge has everything while the slow one still holds its first call.
        await WaitForAllAsync(fast, tables);
        Assert.False(release.Task.IsCompleted);
        AssertEveryEventOnceInOrder(fast, tables, first);

        release.SetResult();
        await WaitForAllAsync(slow, tables);
        AssertEveryEventOnceInOrder(slow, tables, first);
    }

    [Fact]
    public async Task An_edge_of_the_earlier_version_gets_every_batch_in_a_call_of_its_own()
    {
        // It did not say it takes several tables' batches in one call, and fails such a call (it cannot read it).
        var edge = new RecordingObserver { TakesTablesEvents = false };
        var tables = await DealtTablesAsync(12);
        await SubscribeAllAsync(tables, "edge-old", Grains.CreateObjectReference<ITableObserver>(edge), takesTablesEvents: false);
        var first = await LastSeqsAsync(tables);

        var release = edge.HoldNextCall();
        await GameDriver.PlayOneMoveAsync(Grains, tables[0]);
        await edge.HeldCallArrived.Task.WaitAsync(Long);
        await Task.WhenAll(tables.Skip(1).Select(t => GameDriver.PlayOneMoveAsync(Grains, t)));
        release.SetResult();
        await PlayRoundsAsync(tables, 3);
        await WaitForAllAsync(edge, tables);

        AssertEveryEventOnceInOrder(edge, tables, first);
        Assert.Equal(0, edge.CallsOfSeveral);
        Assert.Equal(edge.Batches, edge.Calls);
    }

    [Fact]
    public async Task A_table_that_migrates_while_its_batch_waits_for_the_edge_loses_no_event()
    {
        var edge = new RecordingObserver();
        var reference = Grains.CreateObjectReference<ITableObserver>(edge);
        var tables = await DealtTablesAsync(12);
        await SubscribeAllAsync(tables, "edge-a", reference, takesTablesEvents: true);
        var first = await LastSeqsAsync(tables);

        // Two tables on the same silo: the edge holds a call of one, so the other's batch waits in the silo.
        var hosts = new Dictionary<string, SiloAddress>();
        foreach (var t in tables)
        {
            hosts[t] = await HostOfAsync(t) ?? throw new InvalidOperationException($"table {t} is active on no single silo");
        }

        var (holder, mover) = tables.SelectMany(a => tables.Where(b => b != a && hosts[b].Equals(hosts[a])).Select(b => (a, b))).First();
        var release = edge.HoldNextCall();
        await GameDriver.PlayOneMoveAsync(Grains, holder);
        await edge.HeldCallArrived.Task.WaitAsync(Long);
        await GameDriver.PlayOneMoveAsync(Grains, mover);
        var silo = fixture.Cluster.Silos.OfType<InProcessSiloHandle>().Single(s => s.SiloAddress.Equals(hosts[mover]));
        Assert.Equal(1, silo.SiloHost.Services.GetRequiredService<EdgeDeliveries>().WaitingBatches);

        // The table moves to the other silo with that batch still waiting there, and plays on. (The edge takes its calls
        // one at a time: what the table sends from its new silo waits behind the held call at the edge.)
        var other = fixture.Cluster.GetActiveSilos().Select(s => s.SiloAddress).First(s => !s.Equals(hosts[mover]));
        RequestContext.Set(IPlacementDirector.PlacementHintKey, other);
        var migrating = Grains.GetGrain<ITableGrain>(mover).Cast<IGrainManagementExtension>().MigrateOnIdle();
        RequestContext.Clear();
        await migrating.AsTask().WaitAsync(Long);
        await GameDriver.PlayOneMoveAsync(Grains, mover);
        var deadline = DateTime.UtcNow + Long;
        while (!other.Equals(await HostOfAsync(mover)))
        {
            Assert.True(DateTime.UtcNow < deadline, "the table did not move");
            await Task.Delay(20);
        }

        release.SetResult();
        await PlayRoundsAsync(tables, 2);
        await WaitForAllAsync(edge, tables);
        AssertEveryEventOnceInOrder(edge, tables, first);
    }

    /// <summary>Tables of two players each, dealt.</summary>
    private async Task<string[]> DealtTablesAsync(int count)
    {
        return await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
        {
            var (roomId, players) = await GameDriver.SeatPlayersAsync(Grains, 2, seats: 2);
            var started = await Grains.GetGrain<ITableGrain>(roomId).Start(players[0].GetPrimaryKeyString());
            Assert.True(started.IsOk, started.Error?.Text);
            return roomId;
        }));
    }

    /// <summary>Subscribes as an edge does, saying (or, as an edge of the earlier version, not) that it takes several tables' batches in one call.</summary>
    private async Task SubscribeAllAsync(string[] tables, string edgeId, ITableObserver observer, bool takesTablesEvents)
    {
        foreach (var roomId in tables)
        {
            if (takesTablesEvents)
            {
                RequestContext.Set(ITableObserver.TakesTablesEvents, true);
            }

            var subscribing = Grains.GetGrain<ITableGrain>(roomId).SubscribeAfter(edgeId, observer, 0, ITableGrain.NoSuchRoom);
            RequestContext.Clear();
            Assert.NotEqual(ITableGrain.NoSuchRoom, await subscribing);
        }
    }

    private async Task<Dictionary<string, long>> LastSeqsAsync(string[] tables)
    {
        var seqs = new Dictionary<string, long>();
        foreach (var roomId in tables)
        {
            seqs[roomId] = (await Grains.GetGrain<ITableGrain>(roomId).GetView("observer")).Value!.Seq;
        }

        return seqs;
    }

    /// <summary>Every table plays <paramref name="rounds"/> moves, all tables at once.</summary>
    private Task PlayRoundsAsync(string[] tables, int rounds) =>
        Task.WhenAll(tables.Select(async roomId =>
        {
            for (var i = 0; i < rounds; i++)
            {
                if ((await GameDriver.PlayOneMoveAsync(Grains, roomId)).Phase == CardGame.Contracts.Protocol.Phases.Finished)
                {
                    return;
                }
            }
        }));

    private async Task WaitForAllAsync(RecordingObserver edge, string[] tables)
    {
        var last = await LastSeqsAsync(tables);
        var deadline = DateTime.UtcNow + Long;
        while (tables.Any(t => !edge.Received.Any(n => n.Event.RoomId == t && n.Event.Seq >= last[t])))
        {
            Assert.True(DateTime.UtcNow < deadline, "the edge did not get every table's events in time");
            await Task.Delay(20);
        }
    }

    /// <summary>Each table's events after <paramref name="first"/> were passed on once each, in <c>seq</c> order, with no gap.</summary>
    private static void AssertEveryEventOnceInOrder(RecordingObserver edge, string[] tables, Dictionary<string, long> first)
    {
        foreach (var roomId in tables)
        {
            var seqs = edge.Received.Where(n => n.Event.RoomId == roomId && n.Event.Seq > first[roomId]).Select(n => n.Event.Seq).ToList();
            Assert.NotEmpty(seqs);
            Assert.Equal(Enumerable.Range(0, seqs.Count).Select(i => first[roomId] + 1 + i), seqs);
        }
    }

    private async Task<SiloAddress?> HostOfAsync(string roomId)
    {
        var tableId = Grains.GetGrain<ITableGrain>(roomId).GetGrainId();
        var stats = await Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        // While an activation leaves, the statistics may list it beside its successor: null until they agree.
        var hosts = stats.Where(s => s.GrainId == tableId).Select(s => s.SiloAddress).Distinct().ToList();
        return hosts.Count == 1 ? hosts[0] : null;
    }
}

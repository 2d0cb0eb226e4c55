using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using CardGame.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace CardGame.Grains.Tests.Cluster;

/// <summary>
/// A silo hosting many tables stops gracefully while bots play on every one of them and new rooms are created: its
/// tables move a few at a time, each with its resume log, and no table is placed on it while it stops. Its own 2-silo
/// cluster (the test stops one).
/// </summary>
public sealed class SiloStopBatchTests(ClusterFixture fixture, ITestOutputHelper output) : IClassFixture<ClusterFixture>, IDisposable
{
    private const int Tables = 20;

    private const int Creators = 16;

    /// <summary>How long a call may go unanswered before it is sent again, as an edge does (a stopping gateway may drop answers).</summary>
    private static readonly TimeSpan RepeatAfter = TimeSpan.FromSeconds(3);

    private readonly ConcurrentQueue<(SiloAddress Silo, long Delta, long At)> _hostedChanges = new();
    private readonly ConcurrentBag<TimeSpan> _calls = [];
    private MeterListener? _listener;
    private int _repeated;

    private IGrainFactory Grains => fixture.Grains;

    [Fact]
    public async Task A_stopping_silo_moves_its_tables_a_few_at_a_time_with_their_resume_logs_and_gets_no_new_table()
    {
        var silos = fixture.Cluster.Silos.Cast<InProcessSiloHandle>().ToList();
        var (survivor, victim) = (silos[0], silos[1]);
        var migration = victim.ServiceProvider.GetRequiredService<ShutdownMigration>();
        var atOnce = victim.ServiceProvider.GetRequiredService<IOptions<ShutdownMigrationOptions>>().Value.TablesAtOnce;
        Listen(silos);

        // Tables placed at random until the silo to stop hosts enough of them, each with a game dealt.
        var onVictim = new List<(string RoomId, IPlayerGrain[] Players)>();
        for (var i = 0; onVictim.Count < Tables; i++)
        {
            Assert.True(i < 200, $"only {onVictim.Count} of {i} random tables landed on the silo to stop");
            var (roomId, players) = await GameDriver.SeatPlayersAsync(Grains, 2, seats: 2);
            if ((await HostOfAsync(roomId)).Equals(victim.SiloAddress))
            {
                Assert.True((await Grains.GetGrain<ITableGrain>(roomId).Start(players[0].GetPrimaryKeyString())).IsOk);
                onVictim.Add((roomId, players));
            }
        }

        var seqBefore = new Dictionary<string, long>();
        foreach (var (roomId, _) in onVictim)
        {
            seqBefore[roomId] = (await Grains.GetGrain<ITableGrain>(roomId).GetView("observer")).Value!.Seq;
        }

        // Players who will each create a room while the silo stops, signed in beforehand.
        var creators = Enumerable.Range(0, Creators).Select(_ => Grains.GetGrain<IPlayerGrain>($"p-{Guid.NewGuid():N}")).ToList();
        await Task.WhenAll(creators.Select(c => c.SignIn("creator")));

        // Bots play on every table of that silo while it stops, and a little after; every call is timed.
        using var stopPlaying = new CancellationTokenSource();
        var bots = onVictim.Select(t => PlayAsync(t.RoomId, t.Players[0], seqBefore[t.RoomId], stopPlaying.Token)).ToList();
        var stopwatch = Stopwatch.StartNew();
        var stop = fixture.Cluster.StopSiloAsync(victim);

        // As soon as the other silo has heard that this one is stopping (the stopping silo tells it before it moves a
        // table), rooms are created at once: they go to the other silo only.
        var told = survivor.ServiceProvider.GetRequiredService<StoppingSilos>();
        while (!told.IsStopping(victim.SiloAddress))
        {
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(60), "the other silo was told within 60 s");
            Assert.False(stop.IsCompleted, $"the silo stopped before the other silo was told: {migration.LastStop}, {stop.Exception}");
            await Task.Delay(2);
        }

        var heardAt = Stopwatch.GetTimestamp();
        var heardAfter = stopwatch.Elapsed;
        var rooms = await Task.WhenAll(creators.Select(c => Repeated(() => c.CreateRoom("made while a silo stops", 2), timed: false)));
        var createdBy = stopwatch.Elapsed;
        Assert.All(rooms, r => Assert.True(r.IsOk, r.Error?.Text));
        var created = rooms.Select(r => r.Value!.RoomId).ToList();
        await stop;
        var stopped = stopwatch.Elapsed;
        await stopPlaying.CancelAsync();
        await Task.WhenAll(bots);

        var report = migration.LastStop;
        output.WriteLine($"the silo stopped in {stopped.TotalMilliseconds:F0} ms: {report}; {atOnce} tables at a time; {created.Count} rooms created {heardAfter.TotalMilliseconds:F0}-{createdBy.TotalMilliseconds:F0} ms after the stop began, once the other silo was told");
        var calls = _calls.Order().ToList();
        output.WriteLine($"the bots' {calls.Count} calls while it stopped: longest {calls[^1].TotalMilliseconds:F0} ms, p99 {calls[calls.Count * 99 / 100].TotalMilliseconds:F0} ms, "
            + $"over 1 s {calls.Count(c => c > TimeSpan.FromSeconds(1))}, sent again after {RepeatAfter.TotalSeconds:F0} s without an answer {_repeated}");

        // Every table moved in memory, a few at a time (more tables than go at once, so in several batches).
        Assert.NotNull(report);
        Assert.Equal(report.Tables, report.TablesMoved);
        Assert.True(report.Tables >= Tables, $"{report.Tables} tables moved");
        Assert.True(atOnce is > 0 and < Tables, $"{atOnce} tables at a time");
        foreach (var (roomId, players) in onVictim)
        {
            Assert.Equal(survivor.SiloAddress, await HostOfAsync(roomId));
            var last = (await Grains.GetGrain<ITableGrain>(roomId).GetView("observer")).Value!.Seq;
            var resumed = await Grains.GetGrain<ITableGrain>(roomId).Resume(players[1].GetPrimaryKeyString(), seqBefore[roomId]);
            Assert.True(resumed.IsOk, resumed.Error?.Text);
            Assert.Null(resumed.Value!.View);
            Assert.Equal(last - seqBefore[roomId], resumed.Value.Events!.Count);
        }

        // No table came to the stopping silo once the other silo knew: its cardgame.tables.active only fell.
        var arrived = _hostedChanges.Where(c => c.Silo.Equals(victim.SiloAddress) && c.Delta > 0 && c.At >= heardAt).Sum(c => c.Delta);
        Assert.True(arrived == 0, $"{arrived} tables came to the stopping silo after the other silo was told it was stopping");
        foreach (var roomId in created)
        {
            Assert.Equal(survivor.SiloAddress, await HostOfAsync(roomId));
        }
    }

    public void Dispose() => _listener?.Dispose();

    /// <summary>Moves for whoever's turn it is (a new deal when a game ends) until stopped, staying within the resume log.</summary>
    private async Task PlayAsync(string roomId, IPlayerGrain dealer, long seqBefore, CancellationToken stop)
    {
        var table = Grains.GetGrain<ITableGrain>(roomId);
        while (!stop.IsCancellationRequested)
        {
            var view = (await Repeated(() => table.GetView("observer"))).Value!;
            if (view.Seq > seqBefore + TableGrain.EventsRemembered - 64)
            {
                await Task.Delay(20, CancellationToken.None);
                continue;
            }

            if (view.Turn is not { } turn)
            {
                Assert.True((await Repeated(() => table.Start(dealer.GetPrimaryKeyString()), repeatable: false)).IsOk);
                continue;
            }

            var mine = (await Repeated(() => table.GetView(turn))).Value!;
            var moveId = Guid.NewGuid().ToString("N");
            var moved = MoveChooser.ChoosePut(mine) is { } put
                ? await Repeated(() => table.Put(turn, put.Card, put.Suit, moveId))
                : await Repeated(() => table.Take(turn, moveId));
            Assert.True(moved.IsOk, moved.Error?.ToString());
        }
    }

    /// <summary>Times a call; one safe to repeat is sent again with no answer after <see cref="RepeatAfter"/>, and the first answer counts.</summary>
    private async Task<T> Repeated<T>(Func<Task<T>> call, bool repeatable = true, bool timed = true)
    {
        var timer = Stopwatch.StartNew();
        List<Task<T>> attempts = [call()];
        while (repeatable && !attempts.Any(a => a.IsCompletedSuccessfully) && !attempts.All(a => a.IsCompleted))
        {
            var wait = Task.Delay(RepeatAfter);
            if (await Task.WhenAny([.. attempts.Where(a => !a.IsCompleted), wait]) == wait && attempts.Count < 5)
            {
                attempts.Add(call());
                Interlocked.Increment(ref _repeated);
            }
        }

        var result = await (attempts.FirstOrDefault(a => a.IsCompletedSuccessfully) ?? attempts[^1]);
        if (timed)
        {
            _calls.Add(timer.Elapsed);
        }

        return result;
    }

    /// <summary>Every change of <c>cardgame.tables.active</c>, per silo (each silo's meters come from its own factory), with when.</summary>
    private void Listen(List<InProcessSiloHandle> silos)
    {
        var scopes = silos.ToDictionary(s => (object)s.ServiceProvider.GetRequiredService<IMeterFactory>(), s => s.SiloAddress);
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "cardgame.tables.active" && instrument.Meter.Scope is { } scope && scopes.ContainsKey(scope))
                {
                    listener.EnableMeasurementEvents(instrument, scopes[scope]);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((_, delta, _, state) => _hostedChanges.Enqueue(((SiloAddress)state!, delta, Stopwatch.GetTimestamp())));
        _listener.Start();
    }

    private async Task<SiloAddress> HostOfAsync(string roomId)
    {
        var tableId = Grains.GetGrain<ITableGrain>(roomId).GetGrainId();
        var stats = await Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        return stats.Single(s => s.GrainId == tableId).SiloAddress;
    }
}

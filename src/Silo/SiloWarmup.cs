using CardGame.Contracts.Fairness;
using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using CardGame.Grains;
using Microsoft.Extensions.Options;
using Orleans.Runtime.Placement;
using Orleans.Serialization;
using Orleans.Storage;

namespace CardGame.Silo;

/// <summary>
/// Runs a starting silo's table code once before the silo joins the cluster and before it reports ready, so the first
/// tables it takes (migrating off a silo that stops next, or moved by the rebalancer) do not pay for a cold process.
/// Before joining: a game played on the <see cref="Table"/> model, its state and resume log (encoded, and read back as a
/// migration and a <c>Resume</c> read it) through the serializers a migration and a write use. Once active: a few lookups of made-up rooms placed on this silo (an activation, a read of
/// the tables' storage, the answer's codecs; a made-up room writes nothing and leaves memory a second later), and one
/// made-up room looked up on another silo and migrated here (Orleans' receiving side of a live migration).
/// <see cref="Completed"/> (readiness and the silo's first load report to the rebalancing wait for it) completes when both are done or failed: a failed warm-up is logged
/// and costs only the warmth. Why: in a rolling restart the next silo stops a moment after this one is ready, and its
/// 25 tables took 1.0–3.9 s to arrive on a silo just started against 0.2–0.5 s on one that had run for a while.
/// </summary>
public sealed partial class SiloWarmup(
    Serializer serializer,
    IGrainStorageSerializer storageSerializer,
    IGrainFactory grains,
    ILocalSiloDetails silo,
    IClusterMembershipService membership,
    IOptions<GameOptions> options,
    ILogger<SiloWarmup> logger) : ILifecycleParticipant<ISiloLifecycle>, ISiloWarmup
{
    /// <summary>Made-up rooms looked up once the silo is active.</summary>
    private const int Lookups = 4;

    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the warm-up is over (done or failed).</summary>
    public Task Completed => _completed.Task;

    public void Participate(ISiloLifecycle lifecycle)
    {
        lifecycle.Subscribe(nameof(SiloWarmup), ServiceLifecycleStage.BecomeActive - 1, _ => Task.Run(WarmCode));
        lifecycle.Subscribe(nameof(SiloWarmup), ServiceLifecycleStage.Active + 1, cancellationToken =>
        {
            using (ExecutionContext.SuppressFlow())
            {
                _ = Task.Run(WarmGrainsAsync);
            }

            return Task.CompletedTask;
        });
    }

    private void WarmCode()
    {
        var started = Environment.TickCount64;
        try
        {
            var (state, log, results) = PlayOneGame();
            var roomId = log[0].Event.RoomId;
            var eventLog = new TableEventLog(roomId, TableGrain.EventsRemembered);
            log.ForEach(eventLog.Add);
            var memory = new TableMemory([], [], default, eventLog.Export());
            var package = new Dictionary<string, object> { ["state"] = state, ["memory"] = memory };
            var arrived = (TableMemory)serializer.Deserialize<Dictionary<string, object>>(serializer.SerializeToArray(package))!["memory"];
            new TableEventLog(roomId, TableGrain.EventsRemembered).Import(arrived.CompactLog!, state.Seq);
            eventLog.After(0).ForEach(n => n.ForRecipient(n.Recipients[0]));
            foreach (var result in results)
            {
                serializer.Deserialize<GameResult<TableView>>(serializer.SerializeToArray(result));
            }

            storageSerializer.Deserialize<TableState>(storageSerializer.Serialize(state));
            storageSerializer.Deserialize<PlayerState>(storageSerializer.Serialize(new PlayerState { RoomId = RoomIds.New() }));
            LogCodeWarmed(logger, log.Count, Environment.TickCount64 - started);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogFailed(logger, "the table code", ex);
        }
    }

    /// <summary>A game of 4 on the model, as a table grain plays it: each call applied, its events taken, accepted.</summary>
    private (TableState State, List<TableNotification> Log, List<GameResult<TableView>> Results) PlayOneGame()
    {
        var state = new TableState();
        var table = new Table(RoomIds.New(), state, options.Value, TimeProvider.System);
        var log = new List<TableNotification>();
        var results = new List<GameResult<TableView>>();
        var players = Enumerable.Range(0, 4).Select(i => new PlayerSnapshot($"pwarmup{i}", $"warm-up {i}")).ToList();

        void Take(GameResult<TableView> result)
        {
            results.Add(result);
            log.AddRange(table.Pending);
            table.Accept();
        }

        table.Create("warm-up", players.Count, players[0].PlayerId);
        table.Accept();
        foreach (var player in players)
        {
            Take(table.Join(player));
        }

        Take(table.Start(players[0].PlayerId, FairShuffle.NewSeed()));
        for (var move = 0; move < 60 && state.Phase == Phases.Playing; move++)
        {
            var view = table.View(players[0].PlayerId);
            var turn = view.Turn ?? players[0].PlayerId;
            var hand = table.View(turn).Hand ?? [];
            var put = hand.Select(card => table.Put(turn, card, "H")).FirstOrDefault(r => r.IsOk);
            Take(put ?? table.Take(turn));
        }

        return (state, log, results);
    }

    private async Task WarmGrainsAsync()
    {
        var started = Environment.TickCount64;
        try
        {
            // Placed here, whatever the placement would choose: this is the silo to warm.
            RequestContext.Set(IPlacementDirector.PlacementHintKey, silo.SiloAddress);
            var lookups = Enumerable.Range(0, Lookups).Select(_ => grains.GetGrain<ITableGrain>(RoomIds.New()).GetView("pwarmup0")).ToList();
            RequestContext.Clear();
            await Task.WhenAll(lookups).WaitAsync(Limit);
            LogGrainsWarmed(logger, Lookups, Environment.TickCount64 - started);
            await MigrateOneInAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogFailed(logger, "the table activations", ex);
        }
        finally
        {
            _completed.TrySetResult();
        }
    }

    /// <summary>
    /// Orleans' receiving side of a live migration (taking the package, rehydrating the table, updating the directory):
    /// a made-up room is looked up on another active silo, then migrated here. The rebalancer's first moves onto a
    /// silo just started took 2 s for 3 tables even after the lookups above.
    /// </summary>
    private async Task MigrateOneInAsync()
    {
        var other = membership.CurrentSnapshot.Members.Values
            .FirstOrDefault(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(silo.SiloAddress))?.SiloAddress;
        if (other is null)
        {
            return;
        }

        var started = Environment.TickCount64;
        var room = grains.GetGrain<ITableGrain>(RoomIds.New());
        RequestContext.Set(IPlacementDirector.PlacementHintKey, other);
        var there = room.GetView("pwarmup0");
        RequestContext.Clear();
        await there.WaitAsync(Limit);
        RequestContext.Set(IPlacementDirector.PlacementHintKey, silo.SiloAddress);
        var migrating = room.Cast<Orleans.Core.Internal.IGrainManagementExtension>().MigrateOnIdle();
        RequestContext.Clear();
        await migrating.AsTask().WaitAsync(Limit);
        await room.GetView("pwarmup0").WaitAsync(Limit);
        LogMigrated(logger, Environment.TickCount64 - started);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Warm-up: a made-up room migrated here from another silo in {Milliseconds} ms")]
    private static partial void LogMigrated(ILogger logger, long milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Warm-up: a game of {Events} events played and serialized in {Milliseconds} ms")]
    private static partial void LogCodeWarmed(ILogger logger, int events, long milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Warm-up: {Lookups} made-up rooms looked up on this silo in {Milliseconds} ms")]
    private static partial void LogGrainsWarmed(ILogger logger, int lookups, long milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Warm-up of {What} failed; the silo starts cold")]
    private static partial void LogFailed(ILogger logger, string what, Exception exception);
}

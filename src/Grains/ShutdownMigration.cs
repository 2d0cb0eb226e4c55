using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime.Placement;

namespace CardGame.Grains;

/// <summary>
/// Moves activations to other active silos when their silo stops gracefully (live migration), instead of letting them
/// deactivate and reload from storage there. Grains that carry memory (<see cref="IGrainMigrationParticipant"/>) enrol
/// with <see cref="Track"/>. When the silo begins to stop, before it leaves the cluster (while the grain directory is
/// still steady), it tells the other silos it is stopping (<see cref="StoppingSilos"/>: no new tables are placed here
/// and the rebalancer sends none here), then moves the enrolled activations marked first (tables), then the others
/// (players), a few at a time (<see cref="ShutdownMigrationOptions"/>): the next starts as soon as one
/// is active on its new silo, and what arrives here meanwhile moves too. Why a few at a time: Orleans sends every
/// activation waiting for one target silo in one <c>AcceptMigratingGrains</c> call, answered only once all of them are
/// active there, and a call to any of them waits for that answer; started all at once, every table of the silo waited
/// for the whole batch (25 tables in 1.0 s onto a silo just started), while a table not yet started plays on here. The
/// stop waits (bounded, <see cref="MoveTimeout"/>) until they are gone. An activation still here when the silo
/// deactivates what is left moves from <c>OnDeactivateAsync</c> (<see cref="TryStart"/>). The target is chosen here,
/// not by placement: while this silo is stopping, placement may still count it among the candidates and then not
/// migrate at all.
/// </summary>
public sealed partial class ShutdownMigration(
    ILocalSiloDetails silo,
    IClusterMembershipService membership,
    StoppingSilos stoppingSilos,
    IOptions<ShutdownMigrationOptions> options,
    ILogger<ShutdownMigration> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>How long a stop waits for the activations it moves before it goes on.</summary>
    public static readonly TimeSpan MoveTimeout = TimeSpan.FromSeconds(15);

    private readonly ConcurrentDictionary<GrainId, IGrainContext> _tracked = new();
    private readonly ConcurrentDictionary<GrainId, bool> _first = new();
    private int _targetTurn;
    private long _stopStarted;

    /// <summary>What the last graceful stop of this silo did (null until one ran).</summary>
    public StopReport? LastStop { get; private set; }

    /// <summary>
    /// Enrols an activation (call from <c>OnActivateAsync</c>). Those marked <paramref name="first"/> (tables: every
    /// move waits for its table) move before the others, so they do not queue behind them on the receiving silo.
    /// </summary>
    public void Track(IGrainBase grain, bool first = false)
    {
        _tracked[grain.GrainContext.GrainId] = grain.GrainContext;
        if (first)
        {
            _first[grain.GrainContext.GrainId] = true;
            if (Volatile.Read(ref _stopStarted) != 0)
            {
                // Placed or moved here by a silo that had not heard yet that this one is stopping: it moves on too.
                LogArrivedWhileStopping(logger, grain.GrainContext.GrainId);
            }
        }
    }

    /// <summary>The enrolled activations here now: the tables (those marked first), or the others (players).</summary>
    public List<IGrainContext> Enrolled(bool tables) => [.. _tracked.Values.Where(c => _first.ContainsKey(c.GrainId) == tables)];

    /// <summary>
    /// Withdraws an activation that is deactivating, and starts migrating it if <paramref name="move"/>,
    /// <paramref name="reason"/> is a shutdown and another silo is active. Call from <c>OnDeactivateAsync</c>.
    /// </summary>
    public bool TryStart(IGrainBase grain, DeactivationReason reason, bool move, CancellationToken cancellationToken)
    {
        _tracked.TryRemove(new KeyValuePair<GrainId, IGrainContext>(grain.GrainContext.GrainId, grain.GrainContext));
        _first.TryRemove(grain.GrainContext.GrainId, out _);
        if (!move || reason.ReasonCode != DeactivationReasonCode.ShuttingDown || Targets() is not { Count: > 0 } targets)
        {
            return false;
        }

        Migrate(grain.GrainContext, targets, cancellationToken);
        return true;
    }

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ShutdownMigration), ServiceLifecycleStage.Active, _ => Task.CompletedTask, MoveAllAsync);

    private async Task MoveAllAsync(CancellationToken cancellationToken)
    {
        if (Targets() is not { Count: > 0 })
        {
            return;
        }

        var started = Environment.TickCount64;
        Volatile.Write(ref _stopStarted, started);
        await stoppingSilos.AnnounceAsync(cancellationToken);
        var deadline = started + (long)MoveTimeout.TotalMilliseconds;
        var tables = await MoveAsync(tables: true, AtOnce(options.Value.TablesAtOnce), deadline, cancellationToken);
        var tablesMilliseconds = Environment.TickCount64 - started;
        var players = await MoveAsync(tables: false, AtOnce(options.Value.PlayersAtOnce), deadline, cancellationToken);
        LastStop = new StopReport(tables.Moved, tables.Started, players.Moved, players.Started, tablesMilliseconds, Environment.TickCount64 - started);
        LogMoved(logger, tables.Moved + players.Moved, tables.Started + players.Started, Environment.TickCount64 - started,
            tables.Moved, tables.Started, tablesMilliseconds, options.Value.TablesAtOnce);
    }

    private static int AtOnce(int setting) => setting > 0 ? setting : int.MaxValue;

    /// <summary>
    /// Migrates the enrolled tables (or players), at most <paramref name="atOnce"/> on their way at a time, until none is
    /// left here or the deadline passes; returns how many were started and how many went.
    /// </summary>
    private async Task<(int Started, int Moved)> MoveAsync(bool tables, int atOnce, long deadline, CancellationToken cancellationToken)
    {
        var started = new HashSet<GrainId>();
        var waiting = new Queue<IGrainContext>(Enrolled(tables));
        var moving = new List<IGrainContext>();
        var moved = 0;
        while (Environment.TickCount64 < deadline && !cancellationToken.IsCancellationRequested)
        {
            moved += moving.RemoveAll(c => c.Deactivated.IsCompleted);
            if (waiting.Count == 0)
            {
                // Read again once the first list is through: an activation that arrived meanwhile moves too.
                foreach (var context in Enrolled(tables).Where(c => !started.Contains(c.GrainId)))
                {
                    waiting.Enqueue(context);
                }
            }

            while (moving.Count < atOnce && waiting.TryDequeue(out var context))
            {
                if (Targets() is not { Count: > 0 } targets)
                {
                    return (started.Count, moved);
                }

                if (context.Deactivated.IsCompleted || !started.Add(context.GrainId))
                {
                    continue;
                }

                moving.Add(context);
                Migrate(context, targets, cancellationToken);
            }

            if (moving.Count == 0)
            {
                break;
            }

            try
            {
                var left = TimeSpan.FromMilliseconds(Math.Max(0, deadline - Environment.TickCount64));
                await Task.WhenAny(moving.Select(c => c.Deactivated)).WaitAsync(left, cancellationToken);
            }
            catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
            {
                // What has not moved yet moves (or deactivates) as the silo deactivates what is left.
                break;
            }
        }

        return (started.Count, moved + moving.Count(c => c.Deactivated.IsCompleted));
    }

    private List<SiloAddress> Targets() =>
        [.. membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(silo.SiloAddress) && !stoppingSilos.IsStopping(m.SiloAddress))
            .Select(m => m.SiloAddress)
            .OrderBy(s => s.ToParsableString(), StringComparer.Ordinal)];

    /// <summary>Asks Orleans to move <paramref name="context"/> to the next target in turn (so the targets share the load evenly).</summary>
    private void Migrate(IGrainContext context, List<SiloAddress> targets, CancellationToken cancellationToken)
    {
        var target = targets[(int)((uint)Interlocked.Increment(ref _targetTurn) % (uint)targets.Count)];
        context.Migrate(new Dictionary<string, object> { [IPlacementDirector.PlacementHintKey] = target }, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo stopping: {Moved} of {Count} activations moved to other silos in {Milliseconds} ms (first {FirstMoved} of {FirstCount} tables in {FirstMilliseconds} ms, {AtOnce} at a time, 0: all)")]
    private static partial void LogMoved(ILogger logger, int moved, int count, long milliseconds, int firstMoved, int firstCount, long firstMilliseconds, int atOnce);

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo stopping: table {GrainId} arrived here after the stop began; it moves on too")]
    private static partial void LogArrivedWhileStopping(ILogger logger, GrainId grainId);
}

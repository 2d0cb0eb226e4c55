using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using CardGame.Contracts.Grains;
using CardGame.Edge.Cluster;
using Microsoft.Extensions.Options;

namespace CardGame.Edge.Delivery;

/// <summary>
/// Keeps this edge subscribed to exactly the tables it needs: those whose last word seats a locally connected player
/// (<see cref="TableSeats"/>: the table says who sits there, the edge keeps no seating of its own) or a local connection
/// watches (the subscription tells the table how many watch it here), plus those a hub call is about to
/// seat someone at (<see cref="HoldAsync"/>, which subscribes before the call so no event after
/// the returned view is missed). Re-subscribes every <see cref="EdgeOptions.SubscriptionRefreshSeconds"/>, spread over
/// the period (<see cref="PeriodSlots"/>) (a table
/// reactivated elsewhere has forgotten us; tables expire subscriptions not refreshed), and unsubscribes from a table
/// once its last word seats no local player. Subscribe and unsubscribe calls for one table never overlap. A table is
/// given the observer of this edge's client bound to its silo (<see cref="EdgeNode.ObserverFor"/>), and subscribed to
/// again with the new one as soon as its route changes (<see cref="TableRoutes.RoutesChanged"/>). Each subscription
/// also lists the players seated there with a local connection (<see cref="TableSeats.PresentAt"/>): that list is how
/// the table knows who is connected, so it is sent again as soon as it changes, and a table this edge leaves because
/// none of its players is connected here any more is told so (<see cref="ITableGrain.Unfollow"/>). While the edge
/// drains, its lists only grow: its players are reconnecting through another edge, and the table keeps them connected
/// until the lists lapse. Each look at the tables (on a change, and every twentieth of the period) takes those that
/// changed (<see cref="TableSeats.TakeChangedRooms"/>, a route, a failed call) and those whose refresh is due, not every
/// table followed: at 10,000 idle players the walk over all of them twice a second was a sixth of an edge's CPU. A
/// table that delivered to this edge within the period through a call that renews the subscription
/// (<see cref="ITableObserver.OnFollowedTablesEvents"/>, noted in <see cref="FollowedTables"/>) is not refreshed at its
/// slot but looked at again a period after that delivery, and refreshed then if it has delivered nothing since
/// (<see cref="EdgeOptions.RefreshQuietTablesOnly"/>): a table that forgot this edge (reactivated without its memory)
/// sends it nothing, so it is refreshed within a period of its last delivery.
/// </summary>
public sealed partial class TableSubscriptions(
    ClusterConnection cluster,
    TableRoutes routes,
    EdgeNode edge,
    TableSeats seats,
    LocalSpectators spectators,
    TableEventFanOut fanOut,
    FollowedTables followed,
    Lifecycle.EdgeDrain drain,
    IOptions<EdgeOptions> options,
    ILogger<TableSubscriptions> logger) : BackgroundService
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Room> _rooms = [];

    /// <summary>The tables a reconcile looks at, gathered under <see cref="_gate"/>.</summary>
    private readonly HashSet<string> _candidates = [];

    /// <summary>Tables to look at again at the next reconcile: a subscribe that failed, a route that changed.</summary>
    private readonly HashSet<string> _dirty = [];

    /// <summary>
    /// The tables of <see cref="_rooms"/> by their refresh slot (<see cref="Room.Slot"/>: <see cref="PeriodSlots.SlotOf"/>
    /// until a delivery moves it).
    /// </summary>
    private readonly HashSet<string>[] _bySlot = [.. Enumerable.Range(0, PeriodSlots.Count).Select(_ => new HashSet<string>())];

    private readonly bool _quietOnly = options.Value.RefreshQuietTablesOnly;

    private long _tablesChecked;
    private long _follows;
    private long _refreshesSkipped;

    /// <summary>Tables looked at by the reconciles so far (each table once per reconcile that took it).</summary>
    internal long TablesChecked => Interlocked.Read(ref _tablesChecked);

    /// <summary><see cref="ITableGrain.Follow"/> calls sent so far (subscriptions and their refreshes).</summary>
    public long FollowsSent => Interlocked.Read(ref _follows);

    /// <summary>Refreshes not sent because the table had renewed the subscription with a delivery within the period.</summary>
    public long RefreshesSkipped => Interlocked.Read(ref _refreshesSkipped);

    /// <summary>Tables this edge follows.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _rooms.Count;
            }
        }
    }

    /// <summary>The observer this edge last gave the table of <paramref name="roomId"/>, or null.</summary>
    internal ITableObserver? ObserverGiven(string roomId)
    {
        lock (_gate)
        {
            return _rooms.TryGetValue(roomId, out var room) && room.Subscribed ? room.Observer : null;
        }
    }

    /// <summary>
    /// Keeps <paramref name="roomId"/> wanted until the hold is disposed, subscribing first when
    /// <paramref name="refresh"/> is set or the edge is not subscribed yet. Fails (changing nothing) when the table
    /// cannot be reached; <see cref="RoomHold.RoomMissing"/> when the table answered that the room does not exist.
    /// </summary>
    public async Task<RoomHold> HoldAsync(string roomId, bool refresh)
    {
        Room room;
        lock (_gate)
        {
            room = RoomFor(roomId);
            room.Holds++;
        }

        var hold = new RoomHold(this, roomId, room);
        try
        {
            await room.Gate.WaitAsync();
            try
            {
                if (refresh || !room.Subscribed)
                {
                    var seq = await SubscribeAsync(roomId, room);
                    room.Subscribed = seq != ITableGrain.NoSuchRoom;
                    hold.Seq = room.Subscribed ? seq : null;
                    hold.RoomMissing = !room.Subscribed;
                }
            }
            finally
            {
                room.Gate.Release();
            }

            return hold;
        }
        catch
        {
            hold.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The number of local connections watching <paramref name="roomId"/> changed: tell the table now (subscribing, or
    /// refreshing with the new count), or leave it when nothing here wants it any more.
    /// </summary>
    public async Task WatchersChangedAsync(string roomId)
    {
        lock (_gate)
        {
            RoomFor(roomId);
        }

        if (IsWanted(roomId))
        {
            await RefreshAsync(roomId, throwOnFailure: spectators.IsWatched(roomId));
        }
        else
        {
            await UnsubscribeIfUnwantedAsync(roomId);
        }
    }

    internal void Release(string roomId, Room room)
    {
        lock (_gate)
        {
            room.Holds--;
            if (!room.Subscribed)
            {
                // A hold whose subscribe failed: the next reconcile tries again if the table is still wanted.
                _dirty.Add(roomId);
            }
        }

        if (!IsWanted(roomId))
        {
            _ = UnsubscribeIfUnwantedAsync(roomId);
        }
    }

    /// <summary>
    /// On stop (before the cluster client stops: hosted services stop in reverse order), tells every table this edge
    /// follows to stop sending to it. A table resends an unacknowledged batch until its edge takes it, so without this
    /// the batches for a stopping edge kept arriving while its Orleans client shut down, and Orleans 10.4 rejects an
    /// observer call that arrives as its client is disposed by throwing on a thread-pool thread, which ends the process
    /// (an in-process edge stopped in a test took the test host with it).
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (!cluster.IsConnected)
        {
            return;
        }

        List<string> subscribed;
        lock (_gate)
        {
            subscribed = [.. _rooms.Where(r => r.Value.Subscribed).Select(r => r.Key)];
        }

        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(StopUnsubscribeTimeout);
        try
        {
            await Task.WhenAll(subscribed.Select(roomId => routes.SendAsync(roomId, t => t.Unsubscribe(edge.EdgeId)))).WaitAsync(bounded.Token);
        }
        catch (Exception ex)
        {
            // The tables drop the subscription themselves once it is no longer refreshed.
            LogUnsubscribeOnStopFailed(logger, ex, subscribed.Count);
        }
    }

    private static readonly TimeSpan StopUnsubscribeTimeout = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        routes.RoutesChanged += OnRoutesChanged;
        try
        {
            await RefreshLoopAsync(stoppingToken);
        }
        finally
        {
            routes.RoutesChanged -= OnRoutesChanged;
        }
    }

    private async Task RefreshLoopAsync(CancellationToken stoppingToken)
    {
        await cluster.WaitAsync(stoppingToken);
        // Every table is re-subscribed once a period, a twentieth of them each twentieth of it: all at once was a burst
        // of a grain call per table every period, which the moves of that moment waited behind.
        var slots = new PeriodSlots(options.Value.SubscriptionRefresh);
        var nextSlot = DateTime.UtcNow + slots.Tick;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = nextSlot - DateTime.UtcNow;
            await seats.WaitForChangeAsync(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, stoppingToken);
            var refresh = DateTime.UtcNow >= nextSlot ? slots : null;
            if (refresh is not null)
            {
                nextSlot = DateTime.UtcNow + slots.Tick;
            }

            try
            {
                await ReconcileAsync(refresh, stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogReconcileFailed(logger, ex);
            }
        }
    }

    /// <summary>
    /// Subscribes to wanted tables (new ones, those that changed, and those of the next slot of <paramref name="refresh"/>
    /// again) and leaves unwanted ones. Looks only at tables that changed or whose slot is due.
    /// </summary>
    private async Task ReconcileAsync(PeriodSlots? refresh, CancellationToken cancellationToken)
    {
        var toSubscribe = new List<string>();
        var toUnsubscribe = new List<string>();
        var slot = refresh?.NextSlot();
        var tick = refresh is null ? 0 : followed.NextTick();
        lock (_gate)
        {
            _candidates.Clear();
            seats.TakeChangedRooms(_candidates);
            _candidates.UnionWith(_dirty);
            _dirty.Clear();
            if (slot is { } due)
            {
                _candidates.UnionWith(_bySlot[due]);
            }

            foreach (var roomId in _candidates)
            {
                if (!_rooms.TryGetValue(roomId, out var room))
                {
                    if (!seats.IsSeatedHere(roomId))
                    {
                        continue;
                    }

                    room = RoomFor(roomId);
                }

                if (!IsWanted(roomId, room))
                {
                    toUnsubscribe.Add(roomId);
                }
                else if ((slot == room.Slot && !RenewedWithinPeriod(roomId, room, slot.Value, tick)) || !room.Subscribed || HasOtherObserver(roomId, room)
                    || !IsPresentAt(roomId, room))
                {
                    toSubscribe.Add(roomId);
                }
            }

            _tablesChecked += _candidates.Count;
            _candidates.Clear();
        }

        if (refresh is not null && toSubscribe.Count > 0)
        {
            LogRefreshing(logger, toSubscribe.Count);
        }

        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(toSubscribe, parallel, async (roomId, _) => await RefreshAsync(roomId, throwOnFailure: false));
        await Parallel.ForEachAsync(toUnsubscribe, parallel, async (roomId, _) => await UnsubscribeIfUnwantedAsync(roomId));
    }

    /// <summary>
    /// Subscribes again, in the background, to those of <paramref name="roomIds"/> whose table has this edge's observer
    /// for another route than the one their calls now take: so that the table's events and their acknowledgments go
    /// the same one-connection way as the calls.
    /// </summary>
    private void OnRoutesChanged(IReadOnlyCollection<string> roomIds)
    {
        List<string> moved;
        lock (_gate)
        {
            moved = [.. roomIds.Where(id => _rooms.TryGetValue(id, out var room) && room.Subscribed && IsWanted(id, room) && HasOtherObserver(id, room))];
            // Looked at again by the next reconcile too: a subscription in flight as the route changed, or a refresh
            // below that fails, still ends with the table's observer for the new route.
            foreach (var roomId in roomIds)
            {
                if (_rooms.ContainsKey(roomId))
                {
                    _dirty.Add(roomId);
                }
            }
        }

        if (moved.Count == 0)
        {
            return;
        }

        // Not under the trace (or anything else) of the call whose answer changed the route.
        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(() => Parallel.ForEachAsync(moved, new ParallelOptions { MaxDegreeOfParallelism = 16 },
                async (roomId, _) => await RefreshAsync(roomId, throwOnFailure: false)));
        }
    }

    /// <summary>
    /// Whether the table of <paramref name="roomId"/>, due for its refresh at <paramref name="slot"/> (refresh tick
    /// <paramref name="tick"/>), renewed this edge's subscription itself with a delivery since the refresh tick a period
    /// ago: then it moves to the slot of that delivery, to be looked at again a period after it (and refreshed then,
    /// unless it delivered again). Under <see cref="_gate"/>.
    /// </summary>
    private bool RenewedWithinPeriod(string roomId, Room room, int slot, long tick)
    {
        var renewed = Volatile.Read(ref room.Renewed.Value);
        if (!_quietOnly || !room.Subscribed || renewed <= tick - PeriodSlots.Count)
        {
            return false;
        }

        var renewedSlot = (int)((slot - (tick - renewed) % PeriodSlots.Count + PeriodSlots.Count) % PeriodSlots.Count);
        if (renewedSlot != room.Slot)
        {
            _bySlot[room.Slot].Remove(roomId);
            _bySlot[renewedSlot].Add(roomId);
            room.Slot = renewedSlot;
        }

        _refreshesSkipped++;
        return true;
    }

    private bool HasOtherObserver(string roomId, Room room) => room.Subscribed && !Equals(room.Observer, edge.ObserverFor(roomId));

    private async Task RefreshAsync(string roomId, bool throwOnFailure)
    {
        Room? room;
        lock (_gate)
        {
            // Gone since it was listed (a reconcile racing the release of a room nobody wants): nothing to refresh, and
            // nothing to bring back, or a room that does not exist would stay listed until the next reconcile.
            if (!_rooms.TryGetValue(roomId, out room))
            {
                return;
            }
        }

        await room.Gate.WaitAsync();
        try
        {
            if (IsWanted(roomId))
            {
                // A room that does not exist (any more) subscribes nothing: nothing to unsubscribe from later either.
                room.Subscribed = await SubscribeAsync(roomId, room) != ITableGrain.NoSuchRoom;
            }
        }
        catch (Exception ex)
        {
            lock (_gate)
            {
                // Tried again at the next reconcile while the table is wanted (and at its refresh in any case).
                _dirty.Add(roomId);
            }

            if (throwOnFailure)
            {
                throw;
            }

            LogSubscribeFailed(logger, ex, roomId);
        }
        finally
        {
            room.Gate.Release();
        }
    }

    private async Task UnsubscribeIfUnwantedAsync(string roomId)
    {
        Room? room;
        lock (_gate)
        {
            if (!_rooms.TryGetValue(roomId, out room))
            {
                return;
            }
        }

        await room.Gate.WaitAsync();
        try
        {
            if (room.Subscribed && !IsWanted(roomId))
            {
                room.Subscribed = false;
                // Left because none of its players is connected here any more: the table hears it now. Left while
                // draining: they are reconnecting elsewhere, and the table keeps them until this edge's list lapses.
                var draining = drain.IsDraining;
                var departed = ImmutableArray.Create(room.Present);
                room.Present = [];
                await routes.SendAsync(roomId, t => draining ? t.Unsubscribe(edge.EdgeId) : t.Unfollow(edge.EdgeId, departed));
                LogUnsubscribed(logger, roomId);
            }
        }
        catch (Exception ex)
        {
            // The table drops the subscription itself once it is no longer refreshed.
            LogUnsubscribeFailed(logger, ex, roomId);
        }
        finally
        {
            room.Gate.Release();
        }

        lock (_gate)
        {
            if (!room.Subscribed && room.Holds == 0 && !seats.IsSeatedHere(roomId) && !spectators.IsWatched(roomId) && _rooms.GetValueOrDefault(roomId) == room)
            {
                _rooms.Remove(roomId);
                _bySlot[room.Slot].Remove(roomId);
                followed.Remove(roomId);
                seats.Forget(roomId);
                routes.Forget(roomId);
            }
        }
    }

    /// <summary>
    /// Subscribes (or refreshes), telling the table the last event passed on here while subscribed: a table that has
    /// forgotten this edge (reactivated without its predecessor's memory, or it dropped the edge) sends what it
    /// published meanwhile first, so no event is lost between.
    /// </summary>
    private async Task<long> SubscribeAsync(string roomId, Room room)
    {
        var seen = room.Subscribed && fanOut.LastSeq(roomId) is { } last ? last : ITableGrain.NoSuchRoom;
        if (seen == ITableGrain.NoSuchRoom)
        {
            // Not following the table: whatever this edge passed on of it before is no baseline for what comes now
            // (its clients start from a view), so the first event is no gap to fetch.
            fanOut.Forget(roomId);
        }

        var observer = edge.ObserverFor(roomId);
        var watching = spectators.Count(roomId);
        var present = PresentAt(roomId, room);
        var departed = room.Present.Except(present).ToImmutableArray();
        Interlocked.Increment(ref _follows);
        var seq = await routes.SendAsync(roomId, t =>
        {
            // This edge takes several tables' batches in one call (ITableObserver.OnTablesEvents), and refuses those of
            // tables it does not follow (OnFollowedTablesEvents, whose deliveries renew this): said with the call.
            RequestContext.Set(ITableObserver.TakesTablesEvents, true);
            if (_quietOnly)
            {
                RequestContext.Set(ITableObserver.TakesFollowedTablesEvents, true);
            }

            try
            {
                return t.Follow(edge.EdgeId, observer, watching, seen, ImmutableArray.Create(present), departed);
            }
            finally
            {
                RequestContext.Remove(ITableObserver.TakesTablesEvents);
                RequestContext.Remove(ITableObserver.TakesFollowedTablesEvents);
            }
        });
        room.Observer = observer;
        room.Present = present;
        LogSubscribed(logger, roomId, seq);
        return seq;
    }

    /// <summary>Who of the table's seated players is connected here, as this edge tells the table (only more while it drains).</summary>
    /// <summary>Whether <see cref="PresentAt(string, Room)"/> is what the table was last told.</summary>
    private bool IsPresentAt(string roomId, Room room) =>
        drain.IsDraining ? PresentAt(roomId, room).AsSpan().SequenceEqual(room.Present) : seats.IsPresentAt(roomId, room.Present);

    private string[] PresentAt(string roomId, Room room)
    {
        var present = seats.PresentAt(roomId);
        return drain.IsDraining ? [.. present.Union(room.Present).Order(StringComparer.Ordinal)] : present;
    }

    private bool IsWanted(string roomId)
    {
        lock (_gate)
        {
            return _rooms.TryGetValue(roomId, out var room) && IsWanted(roomId, room);
        }
    }

    private bool IsWanted(string roomId, Room room) => room.Holds > 0 || seats.IsSeatedHere(roomId) || spectators.IsWatched(roomId);

    private Room RoomFor(string roomId)
    {
        if (!_rooms.TryGetValue(roomId, out var room))
        {
            // Listed for the observer before anything is sent to the table, so no batch the subscription brings is refused.
            _rooms[roomId] = room = new Room(followed.Add(roomId), PeriodSlots.SlotOf(roomId));
            _bySlot[room.Slot].Add(roomId);
        }

        return room;
    }

    internal sealed class Room(StrongBox<long> renewed, int slot)
    {
        /// <summary>The refresh tick of the table's last delivery that renewed this edge's subscription (<see cref="FollowedTables"/>).</summary>
        public StrongBox<long> Renewed { get; } = renewed;

        /// <summary>The refresh slot at which the table is looked at (<see cref="_bySlot"/>).</summary>
        public int Slot { get; set; } = slot;

        public int Holds { get; set; }

        public bool Subscribed { get; set; }

        /// <summary>The observer the table was last given (<see cref="EdgeNode.ObserverFor"/>).</summary>
        public ITableObserver? Observer { get; set; }

        /// <summary>The players the table was last told are connected here, in order.</summary>
        public string[] Present { get; set; } = [];

        public SemaphoreSlim Gate { get; } = new(1, 1);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Subscribed to room {RoomId} at seq {Seq}")]
    private static partial void LogSubscribed(ILogger logger, string roomId, long seq);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Refreshing the subscriptions to {Tables} table(s)")]
    private static partial void LogRefreshing(ILogger logger, int tables);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Unsubscribed from room {RoomId}")]
    private static partial void LogUnsubscribed(ILogger logger, string roomId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refreshing the subscription to room {RoomId} failed; retrying at the next refresh")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception exception, string roomId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Unsubscribing from room {RoomId} failed; the table will expire it")]
    private static partial void LogUnsubscribeFailed(ILogger logger, Exception exception, string roomId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unsubscribing from {Tables} table(s) as the edge stops failed; they drop this edge when its subscriptions expire")]
    private static partial void LogUnsubscribeOnStopFailed(ILogger logger, Exception exception, int tables);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reconciling table subscriptions failed")]
    private static partial void LogReconcileFailed(ILogger logger, Exception exception);
}

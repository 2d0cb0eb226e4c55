using CardGame.Contracts.Fairness;
using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;

namespace CardGame.Grains;

/// <summary>
/// One room. Loads the <see cref="Table"/>, applies one call to it, writes the state to the <c>tables</c> storage
/// before the call returns and before its events go out, then publishes them to the subscribed edges. The turn timer
/// and the seat hold run on this grain's own timer. Placed on a random silo (not next to the caller, Orleans'
/// default), so tables spread over all silos and a newly added silo takes new tables. A table that does not exist (a
/// made-up room id, or a room that has closed) does not stay: it answers <c>room_not_found</c>, writes nothing and
/// leaves memory a second after its last call; a room that closes deletes its record from storage.
/// </summary>
[RandomPlacement]
public sealed partial class TableGrain(
    [PersistentState("table", StorageNames.Tables)] IPersistentState<TableState> table,
    IOptions<GameOptions> gameOptions,
    TimeProvider time,
    GameMetrics metrics,
    ShutdownMigration shutdown,
    EdgeDeliveries deliveries,
    ILocalSiloDetails silo,
    ILogger<TableGrain> logger) : Grain, ITableGrain, ITableEventLog, IGrainMigrationParticipant, IIncomingGrainCallFilter
{
    /// <summary>How many recent events the table keeps in memory for <see cref="Resume"/>.</summary>
    public const int EventsRemembered = 256;

    /// <summary>At most this many events an edge missed while the table did not know it are sent when it subscribes again.</summary>
    public const int MissedEventsResent = 32;

    /// <summary>How long a room that has just closed waits, as it leaves memory, for its last events to reach the edges.</summary>
    private static readonly TimeSpan ClosedRoomFlushTimeout = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a table that does not exist stays in memory after its last call.</summary>
    public static readonly TimeSpan MissingTableLinger = TimeSpan.FromSeconds(1);

    private readonly GameOptions _options = gameOptions.Value;
    private Table _table = null!;
    private TableEventLog _log = null!;
    private EdgeSubscribers _edges = null!;
    private SeatPresence _presence = null!;
    private IGrainTimer? _timer;
    private IGrainTimer? _leaveTimer;
    private RoomInfo? _publishedInfo;
    private bool _poisoned;
    private TableMemory? _rehydrated;
    private bool _counted;

    private IRoomDirectoryGrain? _directory;
    private long _entryStamp;
    private long _closedAtSeq;

    private string RoomId => this.GetPrimaryKeyString();

    /// <summary>The room's shard of the room directory (a reference made once: making one costs more than most commits).</summary>
    private IRoomDirectoryGrain DirectoryShard => _directory ??= GrainFactory.GetGrain<IRoomDirectoryGrain>(RoomDirectory.ShardOf(RoomId));

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _table = new Table(RoomId, table.State, _options, time);
        _log = new TableEventLog(RoomId, EventsRemembered);
        _presence = new SeatPresence(time, _options.SubscriptionLifetime);
        _edges = new EdgeSubscribers(RoomId, _options, deliveries, time, logger, _presence);
        RestoreMemory();
        shutdown.Track(this, first: true);
        this.RegisterGrainTimer(OnPeriodAsync, _options.DirectoryRefresh, _options.DirectoryRefresh);
        CountHosted();
        if (_table.Exists)
        {
            // A table reactivated (possibly on another silo) re-announces itself and resumes its timers.
            PublishRoomInfo();
            ScheduleTimer();
        }

        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_counted)
        {
            _counted = false;
            metrics.TableReleased();
        }

        // A graceful stop moves the table to another silo in memory. What is queued for the edges, a batch still in flight
        // included, travels with it and goes out from there (edges drop what they had already): no waiting here, since a
        // stopping silo may never hear an edge's answer.
        shutdown.TryStart(this, reason, move: !_poisoned && _table.Exists, cancellationToken);
        if (!_poisoned && !_table.Exists)
        {
            // A room that just closed: its last events (the last player's "left") still go out to the edges.
            await _edges.FlushAsync(ClosedRoomFlushTimeout);
        }
    }

    public async Task<RoomResult> Create(string name, int seats, string creatorId, bool quickPlay = false)
    {
        var result = Apply(t => t.Create(name, seats, creatorId, quickPlay));
        await CommitAsync();
        if (result.IsOk)
        {
            LogCreated(logger, RoomId, creatorId, seats);
        }

        return result;
    }

    /// <summary>Seats the player; the last seat of a quick-play room also deals, in the same write.</summary>
    public async Task<TableResult> Join(PlayerSnapshot player)
    {
        var dealt = false;
        var result = await ApplyAndCommitAsync(t =>
        {
            var joined = t.Join(player);
            if (joined.IsOk)
            {
                _presence.Seated(player.PlayerId);
            }

            dealt = joined.IsOk && t.DealsByItself;
            return dealt ? t.Start(player.PlayerId, FairShuffle.NewSeed()) : joined;
        });
        if (dealt)
        {
            LogStarted(logger, RoomId, table.State.Players.Count, table.State.GamesDealt);
        }

        return result;
    }

    public async Task<TableResult> Start(string playerId)
    {
        // A fresh secret per deal from the cryptographic source; it stays in this grain and its storage until finished.
        var seed = FairShuffle.NewSeed();
        var result = await ApplyAndCommitAsync(t => t.Start(playerId, seed));
        if (result.IsOk)
        {
            LogStarted(logger, RoomId, table.State.Players.Count, table.State.GamesDealt);
        }

        return result;
    }

    public Task<TableResult> Take(string playerId, string? moveId = null) => ApplyAndCommitAsync(t => t.Take(playerId, moveId), AnsweringEdge());

    public Task<TableResult> Put(string playerId, string card, string? suit, string? moveId = null) =>
        ApplyAndCommitAsync(t => t.Put(playerId, card, suit, moveId), AnsweringEdge());

    /// <summary>
    /// The edge that sent this move and takes its events with the answer (<see cref="ITableGrain.EventsWithAnswer"/>), if
    /// it asked. Taken out of the call's context: it is for this table only, and would otherwise travel on with every call
    /// the table makes while it handles the move (its storage write, with the in-memory provider a grain call; its
    /// notices to players).
    /// </summary>
    private static string? AnsweringEdge()
    {
        if (RequestContext.Get(ITableGrain.EventsWithAnswer) is not string edgeId)
        {
            return null;
        }

        RequestContext.Remove(ITableGrain.EventsWithAnswer);
        return edgeId;
    }

    public Task<TableResult> Leave(string playerId) => ApplyAndCommitAsync(t => t.Leave(playerId));

    public Task<TableResult> GetView(string playerId) =>
        Task.FromResult(Apply(t => t.Exists ? TableResult.Ok(t.View(playerId)) : t.RoomNotFound()));

    public Task<bool> IsSeated(string playerId) => Task.FromResult(Apply(t => t.IsSeated(playerId)));

    public async Task SetConnected(string playerId, bool connected)
    {
        Apply(t => t.SetConnected(playerId, connected));
        await CommitAsync();
    }

    public Task<ResumeResult> Resume(string playerId, long lastSeq)
    {
        EnsureHealthy();
        if (!_table.Exists)
        {
            return Task.FromResult(ResumeResult.Fail(GameError.RoomNotFound(RoomId)));
        }

        var seq = table.State.Seq;
        if (lastSeq < 0 || lastSeq > seq)
        {
            return Task.FromResult(ResumeResult.Fail(ErrorCodes.BadRequest, $"lastSeq must be between 0 and {seq}"));
        }

        // The log holds a contiguous run of the latest events; older ones (or all, after a reactivation) are gone.
        var oldest = _log.OldestSeq ?? seq + 1;
        if (lastSeq + 1 < oldest)
        {
            return Task.FromResult(ResumeResult.Ok(new Resumed(null, _table.View(playerId))));
        }

        var events = _log.After(lastSeq).ConvertAll(n => n.ForRecipient(playerId));
        return Task.FromResult(ResumeResult.Ok(new Resumed(events, null)));
    }

    public Task<long> Subscribe(string edgeId, ITableObserver observer, int spectators = 0) =>
        SubscribeAfter(edgeId, observer, spectators, ITableGrain.NoSuchRoom);

    public Task<long> SubscribeAfter(string edgeId, ITableObserver observer, int spectators, long seenSeq) =>
        Task.FromResult(SubscribeEdge(edgeId, observer, spectators, seenSeq, listsPlayers: false));

    public async Task<long> Follow(
        string edgeId, ITableObserver observer, int spectators, long seenSeq, ImmutableArray<string> present, ImmutableArray<string> departed)
    {
        if (SubscribeEdge(edgeId, observer, spectators, seenSeq, listsPlayers: true) == ITableGrain.NoSuchRoom)
        {
            return ITableGrain.NoSuchRoom;
        }

        _presence.List(edgeId, present.IsDefault ? [] : present, departed.IsDefault ? [] : departed);
        await UpdatePresenceAsync();
        return table.State.Seq;
    }

    private long SubscribeEdge(string edgeId, ITableObserver observer, int spectators, long seenSeq, bool listsPlayers)
    {
        if (!_table.Exists)
        {
            // Nothing to follow: subscribing nobody keeps this activation from lingering for a made-up room id.
            return ITableGrain.NoSuchRoom;
        }

        // An edge this activation does not know may have missed events published meanwhile (it was reactivated without its
        // predecessor's memory, or dropped the edge): a short run of them, all still remembered, goes first. A longer one
        // is an edge that was dropped for falling behind: sending it all again would put it as far behind, so its clients
        // resync with Resume as before.
        var missed = seenSeq >= 0 && table.State.Seq - seenSeq <= MissedEventsResent ? Remembered(seenSeq) : null;
        // An edge says in its call's context whether it takes several tables' batches in one call (earlier ones do not).
        var takesTablesEvents = RequestContext.Get(ITableObserver.TakesTablesEvents) is true;
        // And whether it refuses the batches of tables it does not follow, so that each batch it takes renews this.
        var renewedByDeliveries = RequestContext.Get(ITableObserver.TakesFollowedTablesEvents) is true;
        _edges.Subscribe(edgeId, observer, Math.Max(0, spectators), missed, listsPlayers, takesTablesEvents, renewedByDeliveries);
        SpectatorsMayHaveChanged();
        return table.State.Seq;
    }

    public Task<IReadOnlyList<TableNotification>?> EventsAfter(long seq) =>
        Task.FromResult(!_poisoned && _table.Exists && seq >= 0 ? Remembered(seq) : null);

    /// <summary>The events after <paramref name="seq"/> (none when it is the latest), or null when the log no longer holds them all.</summary>
    private IReadOnlyList<TableNotification>? Remembered(long seq)
    {
        if (seq >= table.State.Seq)
        {
            return [];
        }

        // The log holds a contiguous run of the latest events; older ones (or all, after a reactivation) are gone.
        var oldest = _log.OldestSeq ?? table.State.Seq + 1;
        return seq + 1 < oldest ? null : _log.After(seq);
    }

    public Task Unsubscribe(string edgeId)
    {
        _edges.Unsubscribe(edgeId);
        SpectatorsMayHaveChanged();
        return Task.CompletedTask;
    }

    public async Task Unfollow(string edgeId, ImmutableArray<string> departed)
    {
        _edges.Unsubscribe(edgeId);
        _presence.Unlist(edgeId, departed.IsDefault ? [] : departed);
        SpectatorsMayHaveChanged();
        await UpdatePresenceAsync();
    }

    /// <summary>
    /// Brings the seats' connected flags in line with what the edges' lists say (<see cref="SeatPresence"/>) and
    /// persists a change: a player who disconnects this way keeps the seat for the hold, as with any disconnection.
    /// </summary>
    private async Task UpdatePresenceAsync()
    {
        if (_poisoned || !_table.Exists)
        {
            return;
        }

        var seated = table.State.Players.Select(s => s.PlayerId).ToList();
        _presence.Prune(seated);
        var unlisted = _edges.HasUnlistedFollowers;
        foreach (var playerId in seated)
        {
            if (_presence.IsConnected(playerId, unlisted) is { } connected)
            {
                _table.SetConnected(playerId, connected);
            }
        }

        await CommitAsync();
    }

    /// <summary>
    /// After every call: the result says which silo's gateway reaches this table without a detour (edges send the next
    /// call there); and a table that does not exist leaves memory a second later, so a flood of made-up room ids costs
    /// one storage read per id and nothing that stays (no activation waiting for idle collection, no write, no key).
    /// </summary>
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
            context.Result = context.Result switch
            {
                TableResult result => result with { Gateway = silo.GatewayAddress },
                ResumeResult result => result with { Gateway = silo.GatewayAddress },
                RoomResult result => result with { Gateway = silo.GatewayAddress },
                var other => other,
            };
        }
        finally
        {
            LeaveMemoryIfClosed();
        }
    }

    public Task<RoomInfo?> GetInfo() => Task.FromResult(_table.Exists ? _table.Info() : null);

    private async Task OnTimerAsync(CancellationToken cancellationToken)
    {
        if (_poisoned)
        {
            return;
        }

        _table.OnTimer();
        foreach (var released in _table.Notices.Where(n => n.Won is null))
        {
            LogSeatReleased(logger, RoomId, released.PlayerId);
        }

        try
        {
            await CommitAsync();
            // Timers may fire a little early, with nothing due yet: always re-arm.
            ScheduleTimer();
            LeaveMemoryIfClosed();
        }
        catch (Exception ex)
        {
            LogTimerCommitFailed(logger, ex, RoomId);
            _timer?.Change(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Keeps the room list's spectator count current (edges report their watchers when they subscribe).</summary>
    private void SpectatorsMayHaveChanged()
    {
        if (_table.Spectators != _edges.Spectators)
        {
            _table.Spectators = _edges.Spectators;
            PublishRoomInfo();
        }
    }

    /// <summary>
    /// Every <c>Game:DirectoryRefreshSeconds</c>. The table is the durable record of its room-list entry: it repeats it
    /// so a restarted shard relearns it. And the players listed only by an edge that stopped refreshing its list (it
    /// is gone) are disconnected.
    /// </summary>
    private async Task OnPeriodAsync(CancellationToken cancellationToken)
    {
        if (_poisoned || !_table.Exists)
        {
            return;
        }

        _publishedInfo = _table.Info();
        DirectoryShard.Announce(_publishedInfo, NextEntryVersion()).Ignore();
        try
        {
            await UpdatePresenceAsync();
        }
        catch (Exception ex)
        {
            LogTimerCommitFailed(logger, ex, RoomId);
        }
    }

    private T Apply<T>(Func<Table, T> action)
    {
        EnsureHealthy();
        return action(_table);
    }

    /// <summary>
    /// Applies <paramref name="action"/> and commits it; the events it published go with the answer to
    /// <paramref name="answering"/> (the edge that sent it and asked for them) when that edge had nothing queued.
    /// </summary>
    private Task<TableResult> ApplyAndCommitAsync(Func<Table, TableResult> action, string? answering = null)
    {
        TableResult result;
        try
        {
            result = Apply(action);
        }
        catch (Exception ex)
        {
            // As from an async method: the call's task fails, nothing throws at the caller.
            return Task.FromException<TableResult>(ex);
        }

        if (result.Error?.Code is { } code)
        {
            metrics.Rejected(code);
        }

        // Not an async method of its own: every await that waits in a grain costs a state machine, a continuation and
        // a task on the grain's scheduler, and this one would only wait for the commit's.
        return CommitAsync(answering, result)!;
    }

    /// <summary>
    /// Persists a change, then (and only then) logs and publishes its events and sends its notices. A failed write
    /// throws (the action is not acknowledged) after reloading what storage has, so memory never runs ahead of it;
    /// unless the reload shows that the write landed after all, which then counts as written. Returns
    /// <paramref name="result"/> (the answer to the call that made the change), with the events when the edge
    /// <paramref name="answering"/> takes them with the answer instead of through its observer
    /// (<see cref="EdgeSubscribers.Publish"/>).
    /// </summary>
    private async Task<TableResult?> CommitAsync(string? answering = null, TableResult? result = null)
    {
        if (!_table.Changed)
        {
            return result;
        }

        var events = _table.Pending.ToList();
        PlayerNotice[] notices = _table.Notices.Count == 0 ? [] : [.. _table.Notices];
        var seq = table.State.Seq;
        var started = time.GetTimestamp();
        var persist = GameTracing.Source.StartActivity("table.persist");
        persist?.SetTag("cardgame.room_id", RoomId);
        try
        {
            if (_table.Exists)
            {
                await table.WriteStateAsync();
                // Written: storage is done with the bytes (a failed write keeps its array: storage may still hold it).
                TableStateJson.ReturnWriteBuffer(table.State);
            }
            else
            {
                // The room closed (its last player left, or nobody joined it in time): its record goes, and nothing of
                // it is kept; later calls answer room_not_found as for any id that never existed.
                _closedAtSeq = table.State.Seq;
                await table.ClearStateAsync();
                _table = new Table(RoomId, table.State, _options, time);
            }

            metrics.Persisted(time.GetElapsedTime(started));
            persist?.Dispose();
        }
        catch (Exception ex)
        {
            persist?.SetStatus(System.Diagnostics.ActivityStatusCode.Error);
            persist?.Dispose();
            _table.Accept();
            LogWriteFailed(logger, ex, RoomId);
            await RestoreAsync();
            // A write may fail here and still have landed (Redis went down before it answered): storage then holds
            // this change, so it is acknowledged and its events go out, or no client would ever see them.
            if (_poisoned || events.Count == 0 || table.State.Seq != seq)
            {
                throw;
            }

            LogWriteLanded(logger, RoomId, seq);
        }

        _table.Accept();
        CountHosted();
        using var publish = GameTracing.Source.StartActivity("table.publish");
        publish?.SetTag("cardgame.room_id", RoomId);
        publish?.SetTag("cardgame.seq", table.State.Seq);
        foreach (var notification in events)
        {
            metrics.EventPublished(notification.Event.Kind);
            _log.Add(notification);
        }

        var answered = _edges.Publish(events, answering);
        _table.Spectators = _edges.Spectators;
        foreach (var notice in notices)
        {
            var player = GrainFactory.GetGrain<IPlayerGrain>(notice.PlayerId);
            await (notice.Won is { } won ? player.GameFinished(RoomId, won) : player.SeatReleased(RoomId));
        }

        if (events.LastOrDefault(e => e.Event.Kind == EventKinds.Finished) is { } finished)
        {
            LogFinished(logger, RoomId, finished.Event.Winner ?? "");
        }

        PublishRoomInfo();
        ScheduleTimer();
        return answered && result is not null ? result with { Events = events } : result;
    }

    /// <summary>Reloads what storage has after a failed write, or gives up this activation if even that fails.</summary>
    private async Task RestoreAsync()
    {
        try
        {
            await table.ReadStateAsync();
            _table = new Table(RoomId, table.State, _options, time);
            CountHosted();
        }
        catch (Exception ex)
        {
            LogRestoreFailed(logger, ex, RoomId);
            _poisoned = true;
            DeactivateOnIdle();
        }
    }

    /// <summary>
    /// A table that does not exist (never did, or has just closed) leaves memory <see cref="MissingTableLinger"/> after
    /// its last call. Not at once: a call that reaches an activation while it deactivates is forwarded by Orleans at most
    /// twice and then refused (the caller sees <c>unavailable</c>), and callers often ask twice in a row (subscribe,
    /// then view).
    /// </summary>
    private void LeaveMemoryIfClosed()
    {
        if (_poisoned || _table.Exists)
        {
            return;
        }

        _leaveTimer ??= this.RegisterGrainTimer(_ =>
        {
            if (!_poisoned && !_table.Exists)
            {
                DeactivateOnIdle();
            }

            return Task.CompletedTask;
        }, new GrainTimerCreationOptions { DueTime = Timeout.InfiniteTimeSpan, Period = Timeout.InfiniteTimeSpan });
        _leaveTimer.Change(MissingTableLinger, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// Keeps <c>cardgame_tables_active</c> to the rooms that exist here: an activation for a room id nobody created
    /// (a lookup, a made-up id) is not a table.
    /// </summary>
    private void CountHosted()
    {
        if (_table.Exists == _counted)
        {
            return;
        }

        _counted = _table.Exists;
        if (_counted)
        {
            metrics.TableHosted();
        }
        else
        {
            metrics.TableReleased();
        }
    }

    private void EnsureHealthy()
    {
        if (_poisoned)
        {
            throw new InvalidOperationException("The table is reloading from storage; retry.");
        }
    }

    /// <summary>
    /// Arms the table's own timer for its next deadline (a turn, a seat hold, an empty room's close). The timer exists
    /// only while something is due: a table with nothing due (players seated, waiting for a deal) holds none, which
    /// spares about 0.35 KiB per idle table.
    /// </summary>
    private void ScheduleTimer()
    {
        if (_table.NextDeadline() is not { } due)
        {
            _timer?.Dispose();
            _timer = null;
            return;
        }

        var dueIn = due - time.GetUtcNow();
        _timer ??= this.RegisterGrainTimer(OnTimerAsync, new GrainTimerCreationOptions
        {
            DueTime = Timeout.InfiniteTimeSpan,
            Period = Timeout.InfiniteTimeSpan,
        });
        _timer.Change(dueIn < TimeSpan.Zero ? TimeSpan.Zero : dueIn, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Tells the room's directory shard of a change to its entry (after every commit: most change nothing).</summary>
    private void PublishRoomInfo()
    {
        if (!_table.Exists)
        {
            if (_publishedInfo is not null || table.State.Seq > 0)
            {
                DirectoryShard.Withdraw(RoomId, NextEntryVersion()).Ignore();
                _publishedInfo = null;
            }

            return;
        }

        if (!_table.InfoEquals(_publishedInfo))
        {
            var info = _table.Info();
            DirectoryShard.Announce(info, NextEntryVersion()).Ignore();
            _publishedInfo = info;
        }
    }

    /// <summary>
    /// The version of the entry announced now: after the last one, whatever the clock does, so the shard keeps the newest.
    /// A closed room's record is cleared (its seq back to 0), so its withdrawal carries the seq it closed at.
    /// </summary>
    private RoomEntryVersion NextEntryVersion()
    {
        _entryStamp = Math.Max(time.GetUtcNow().UtcTicks, _entryStamp + 1);
        return new RoomEntryVersion(_table.Exists ? _table.State.Seq : Math.Max(_closedAtSeq, _table.State.Seq), _entryStamp);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Room {RoomId} created by {PlayerId} with {Seats} seats")]
    private static partial void LogCreated(ILogger logger, string roomId, string playerId, int seats);

    [LoggerMessage(Level = LogLevel.Information, Message = "Room {RoomId} dealt game {Game} to {Players} players")]
    private static partial void LogStarted(ILogger logger, string roomId, int players, int game);

    [LoggerMessage(Level = LogLevel.Information, Message = "Room {RoomId} game won by {PlayerId}")]
    private static partial void LogFinished(ILogger logger, string roomId, string playerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Room {RoomId}: seat hold of {PlayerId} expired")]
    private static partial void LogSeatReleased(ILogger logger, string roomId, string playerId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Room {RoomId}: writing state failed; the action is not acknowledged")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, string roomId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Room {RoomId}: the write reported as failed had landed (storage is at seq {Seq}); the action is acknowledged")]
    private static partial void LogWriteLanded(ILogger logger, string roomId, long seq);

    [LoggerMessage(Level = LogLevel.Error, Message = "Room {RoomId}: reloading state after a failed write failed; deactivating")]
    private static partial void LogRestoreFailed(ILogger logger, Exception exception, string roomId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Room {RoomId}: a timer action could not be persisted; retrying")]
    private static partial void LogTimerCommitFailed(ILogger logger, Exception exception, string roomId);
}

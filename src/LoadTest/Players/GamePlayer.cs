using CardGame.Contracts.Protocol;
using CardGame.LoadTest.Checking;
using CardGame.LoadTest.Game;
using CardGame.LoadTest.Metrics;
using CardGame.LoadTest.Running;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace CardGame.LoadTest.Players;

/// <summary>
/// One simulated Crazy Eights player on its own SignalR connection: signs in as a guest, sits at its group's table,
/// and plays a legal move whenever the events say it is its turn (when the pacer lets it). It tracks the table from
/// the events it receives (<see cref="TableTracker"/>), which also checks them. Each move carries a fresh moveId. When
/// the connection drops it reconnects, catches up with <c>Resume</c> (the missed events go through the tracker's
/// checks), and sends a move whose answer was lost again with the same moveId, which the server applies once. With
/// quick play it has no group until <c>QuickPlay</c> seats it (<see cref="QuickPlayAsync"/>).
/// </summary>
public sealed class GamePlayer(int index, int seat, Uri edge, TableGroup? group, RunContext run) : IActor, IAsyncDisposable
{
    /// <summary>How often a move whose answer was lost is sent again.</summary>
    private const int MoveRetries = 2;

    private static readonly TimeSpan BackOnlineTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FinalCheckTimeout = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private readonly MoveChooser _chooser = new(new Random(run.Options.Seed + index));
    private HubConnection? _connection;
    private TableTracker? _tracker;
    private string _playerId = "";
    private bool _acting;
    private volatile bool _dealAsked; // the run asked this seat to deal (StartGameAsync): the table should not stay waiting
    private bool _resyncing;
    private long _awaitSeq;
    private TableGroup? _group = group;

    // When the connection last came back (its handshake done) and when the Resume after it was answered (Clock
    // timestamps): a move that waited for them says so in the slow-move log.
    private long _reconnectedAt;
    private long _resumedAt;

    /// <summary>Events that came before the room was known (quick play: the room deals as its last seat is taken).</summary>
    private List<TableEvent>? _early = group is null ? [] : null;

    /// <summary>The player's place at its table: 0 is the one who deals the next game (quick play: the room's first player).</summary>
    public int Seat { get; private set; } = seat;

    public int Table => _group?.Index ?? 0;

    public Uri Edge { get; } = edge;

    /// <summary>Signs in on its edge and opens the hub connection. False (counted) if that failed.</summary>
    public async Task<bool> ConnectAsync(CancellationToken cancellationToken)
    {
        var opened = await GuestConnection.OpenAsync(run, Edge, $"lt{index}", OnEvent,
            onReconnecting: () =>
            {
                lock (_lock)
                {
                    _tracker?.BeginResume();
                }
            },
            onReconnected: async () =>
            {
                Volatile.Write(ref _reconnectedAt, Clock.Now);
                await ResumeAsync();
                Volatile.Write(ref _resumedAt, Clock.Now);
            },
            onClosed: () =>
            {
                if (!run.IsStopping)
                {
                    run.Metrics.ConnectionLost();
                }
            },
            cancellationToken);
        if (opened is not { } guest)
        {
            return false;
        }

        (_playerId, _connection) = guest;
        run.Metrics.PlayerConnected();
        return true;
    }

    /// <summary>Seat 0 creates the room; everyone joins it by id. Games start later (<see cref="StartGameAsync"/>), once every table is seated.</summary>
    public Task SeatAsync(CancellationToken cancellationToken) => SitAsync("seat", async connection =>
    {
        if (Seat == 0)
        {
            try
            {
                var room = await connection.InvokeAsync<RoomInfo>(nameof(IGameHub.CreateRoom),
                    new CreateRoomRequest($"load {Group.Index}", Group.Seats), cancellationToken);
                Group.Room.TrySetResult(room.RoomId);
            }
            catch (Exception ex)
            {
                Group.Room.TrySetException(ex);
                throw;
            }
        }

        var roomId = await Group.Room.Task.WaitAsync(cancellationToken);
        lock (_lock)
        {
            _tracker = new TableTracker(roomId, _playerId, run.Violations);
        }

        var view = await connection.InvokeAsync<TableView>(nameof(IGameHub.JoinRoom), roomId, cancellationToken);
        lock (_lock)
        {
            _tracker.OnView(view);
        }

        return Group;
    });

    /// <summary>
    /// Quick play: asks the server for a seat (<c>QuickPlay</c>) and joins the group of the room it answers with. The
    /// room deals by itself once full, so its first events may come before the answer: they wait for the tracker.
    /// </summary>
    public Task QuickPlayAsync(QuickPlayTables tables, CancellationToken cancellationToken) => SitAsync("quick-play", async connection =>
    {
        var view = await connection.InvokeAsync<TableView>(nameof(IGameHub.QuickPlay), new QuickPlayRequest(run.Options.Seats), cancellationToken);
        var group = tables.For(view.RoomId);
        lock (_lock)
        {
            _group = group;
            Seat = view.Players.ToList().FindIndex(p => p.PlayerId == _playerId);
            _tracker = new TableTracker(view.RoomId, _playerId, run.Violations);
            foreach (var early in (_early ?? []).Where(e => e.RoomId == view.RoomId))
            {
                _tracker.OnEvent(early);
            }

            _early = null;
            _tracker.OnView(view);
            MaybeTakeTurn();
        }

        return group;
    });

    /// <summary>Takes a seat by <paramref name="sit"/> (which answers with the table's group) and counts it; a failure is counted as an error.</summary>
    private async Task SitAsync(string step, Func<HubConnection, Task<TableGroup>> sit)
    {
        var connection = _connection ?? throw new InvalidOperationException("not connected");
        try
        {
            var group = await sit(connection);
            run.Metrics.PlayerSeated();
            group.Joined();
        }
        catch (HubException ex)
        {
            run.Metrics.Error(HubErrors.Code(ex.Message), ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            run.Metrics.Error(step + ":" + ex.GetType().Name, ex.Message);
        }
    }

    public async Task ActAsync(long scheduledTimestamp)
    {
        Move move;
        string roomId;
        var connection = _connection;
        lock (_lock)
        {
            if (run.IsStopping || connection is null || _tracker is not { IsMyTurn: true } tracker)
            {
                _acting = false;
                return;
            }

            roomId = tracker.RoomId;
            move = _chooser.Choose(tracker.Hand, tracker.TopCard, tracker.SuitToFollow);
        }

        var moveId = Guid.NewGuid().ToString("N");
        var ticket = run.Metrics.MoveSent(scheduledTimestamp);
        _group?.ActionSent(_playerId, scheduledTimestamp, ticket);
        var logged = run.Metrics.Moves.Begin(_playerId, roomId, moveId, move.IsTake ? "take" : $"put {move.Card}", scheduledTimestamp);
        try
        {
            await SendMoveAsync(connection, roomId, move, moveId, ticket, logged);
        }
        finally
        {
            logged.End();
        }
    }

    /// <summary>Sends one move (again with the same moveId when its answer was lost) and takes in its answer.</summary>
    private async Task SendMoveAsync(HubConnection connection, string roomId, Move move, string moveId, long ticket, MoveLog.Entry logged)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var view = move.IsTake
                    ? await connection.InvokeAsync<TableView>(nameof(IGameHub.TakeCard), roomId, moveId)
                    : await connection.InvokeAsync<TableView>(nameof(IGameHub.PutCard), roomId, move.Card, move.Suit, moveId);
                run.Metrics.ActionDone(ticket, Clock.Now);
                logged.Attempt("ok", failed: false);

                lock (_lock)
                {
                    _awaitSeq = Math.Max(_awaitSeq, view.Seq);
                    _tracker!.OnView(view);
                    _acting = false;
                    MaybeTakeTurn();
                }

                return;
            }
            catch (HubException ex) when (HubErrors.Code(ex.Message) == ErrorCodes.Unavailable && attempt < MoveRetries && !run.IsStopping)
            {
                // The move may or may not have happened: send it again, with the same moveId.
                logged.Attempt(ex.Message);
                run.Metrics.Error(ErrorCodes.Unavailable, ex.Message);
                run.Metrics.MoveResent();
                await Task.Delay(250);
            }
            catch (HubException ex) when (HubErrors.Code(ex.Message) != HubErrors.ConnectionClosed)
            {
                _group?.ActionFailed(_playerId);
                var code = HubErrors.Code(ex.Message);
                logged.Attempt(ex.Message);
                run.Metrics.Error(code, ex.Message);
                lock (_lock)
                {
                    _acting = false;
                }

                if (code is ErrorCodes.RateLimited)
                {
                    await Task.Delay(250);
                    lock (_lock)
                    {
                        MaybeTakeTurn();
                    }
                }
                else
                {
                    await ResyncAsync(); // the server disagrees with what the events told us: start again from its view
                }

                return;
            }
            catch (Exception ex)
            {
                logged.Attempt(ex.GetType().Name + ": " + ex.Message);
                if (!run.IsStopping)
                {
                    run.Metrics.Error(ex is HubException ? HubErrors.ConnectionClosed : "invoke:" + ex.GetType().Name, ex.Message);
                }

                // The connection dropped before the answer (or the server closed it, e.g. an edge draining). Once it is back and caught up, send the move again with the
                // same moveId: applied once (if it already happened, the answer is just the current view).
                if (attempt < MoveRetries && !run.IsStopping && await BackOnlineAsync(connection))
                {
                    logged.Note("reconnected", Volatile.Read(ref _reconnectedAt));
                    logged.Note("resumed", Volatile.Read(ref _resumedAt));
                    run.Metrics.MoveResent();
                    continue;
                }

                _group?.ActionFailed(_playerId);
                lock (_lock)
                {
                    _acting = false;
                }

                return;
            }
        }
    }

    private TableGroup Group => _group ?? throw new InvalidOperationException("no table group");

    public ValueTask DisposeAsync() => GuestConnection.CloseAsync(_connection);

    private void OnEvent(TableEvent tableEvent)
    {
        var now = Clock.Now;
        run.Metrics.EventReceived();
        _group?.EventReceived(_playerId, tableEvent, now);
        bool inOrder;
        lock (_lock)
        {
            if (_tracker is null && _early is not null)
            {
                _early.Add(tableEvent);
                return;
            }

            if (_tracker is null || tableEvent.RoomId != _tracker.RoomId)
            {
                return;
            }

            inOrder = _tracker.OnEvent(tableEvent);
            if (Seat == 0)
            {
                if (tableEvent.Kind == EventKinds.Started)
                {
                    run.Metrics.GameStarted();
                }
                else if (tableEvent.Kind == EventKinds.Finished)
                {
                    run.Metrics.GameFinished();
                    _ = RematchAsync();
                }
            }

            MaybeTakeTurn();
        }

        if (!inOrder)
        {
            _ = ResyncAsync();
        }
    }

    /// <summary>Under the lock: hands the turn to the pacer once the events say it is ours and our last move is applied.</summary>
    private void MaybeTakeTurn()
    {
        if (!_acting && !_resyncing && !run.IsStopping && _tracker is { IsMyTurn: true } tracker && tracker.Seq >= _awaitSeq)
        {
            _acting = true;
            run.Pacer.Request(this);
        }
    }

    private async Task RematchAsync()
    {
        if (!run.Options.OpenLoop && run.Options.Think > TimeSpan.Zero)
        {
            await Task.Delay(run.Options.Think);
        }

        if (!run.IsStopping)
        {
            await StartGameAsync();
        }
    }

    /// <summary>Deals a game at this player's table (a rejection because one is already running is not an error).</summary>
    public async Task StartGameAsync()
    {
        _dealAsked = true;
        if (_connection is not { } connection || _tracker is null)
        {
            return;
        }

        try
        {
            var view = await connection.InvokeAsync<TableView>(nameof(IGameHub.StartGame), _tracker.RoomId);
            lock (_lock)
            {
                _tracker.OnView(view);
                MaybeTakeTurn();
            }
        }
        catch (HubException ex)
        {
            var code = HubErrors.Code(ex.Message);
            if (code != ErrorCodes.GameInProgress)
            {
                run.Metrics.Error(code, ex.Message);
            }
        }
        catch (Exception ex) when (!run.IsStopping)
        {
            run.Metrics.Error("start:" + ex.GetType().Name, ex.Message);
        }
        catch (Exception)
        {
            // Stopping: the connection is going away.
        }
    }

    /// <summary>
    /// After a reconnect: the events missed since the tracked seq from <c>Resume</c>, checked by the tracker like live
    /// ones (or the view it answers with when too far behind); <c>GetTable</c> when that leaves a gap.
    /// </summary>
    private async Task ResumeAsync()
    {
        string roomId;
        long? lastSeq;
        var connection = _connection;
        lock (_lock)
        {
            if (_tracker is null || connection is null)
            {
                return;
            }

            roomId = _tracker.RoomId;
            lastSeq = _tracker.Seq;
        }

        var caughtUp = false;
        if (lastSeq is { } seq)
        {
            try
            {
                var resumed = await connection.InvokeAsync<Resumed>(nameof(IGameHub.Resume), roomId, seq);
                lock (_lock)
                {
                    caughtUp = _tracker.OnResumed(resumed);
                    MaybeTakeTurn();
                }

                if (Seat == 0)
                {
                    foreach (var e in resumed.Events ?? [])
                    {
                        if (e.Kind == EventKinds.Started)
                        {
                            run.Metrics.GameStarted();
                        }
                        else if (e.Kind == EventKinds.Finished)
                        {
                            run.Metrics.GameFinished();
                        }
                    }
                }
            }
            catch (Exception ex) when (!run.IsStopping)
            {
                run.Metrics.Error(ex is HubException hub ? HubErrors.Code(hub.Message) : "resume:" + ex.GetType().Name, ex.Message);
            }
            catch (Exception)
            {
                // Stopping.
            }
        }

        if (!caughtUp)
        {
            await ResyncAsync();
        }

        // A game that finished while we were away would wait forever: seat 0 deals the next one, as on a live finished.
        // So would a table whose deal was asked for but lost with the old connection (it is still waiting).
        bool deal;
        lock (_lock)
        {
            deal = Seat == 0 && (_tracker.Phase == Phases.Finished || (_dealAsked && _tracker.Phase == Phases.Waiting));
        }

        if (deal)
        {
            await RematchAsync();
        }
    }

    /// <summary>
    /// At the end of a run, moves stopped: the player must still be seated, and the server's view of its table (its hand
    /// included) must equal what its events built, compared once both are at the same <c>seq</c> (events may still be
    /// on their way; a connection still coming back gets its time).
    /// </summary>
    public async Task VerifyFinalAsync()
    {
        string? roomId;
        lock (_lock)
        {
            roomId = _tracker?.RoomId;
        }

        var deadline = Clock.Now + Clock.FromSeconds(FinalCheckTimeout.TotalSeconds);
        string last = "never seated";
        while (roomId is not null && _connection is { } connection && Clock.Now < deadline)
        {
            try
            {
                var view = await connection.InvokeAsync<TableView>(nameof(IGameHub.GetTable), roomId);
                lock (_lock)
                {
                    if (!view.Players.Any(p => p.PlayerId == _playerId))
                    {
                        run.Violations.Report(ViolationKinds.NotSeatedAtEnd, $"{_playerId} is not seated at {roomId} at seq {view.Seq}");
                        return;
                    }

                    if (_tracker is { Resuming: false, NeedsResync: false } tracker && tracker.Seq == view.Seq)
                    {
                        tracker.OnView(view);
                        run.Violations.Count(CheckNames.SeatedAtEnd);
                        return;
                    }

                    last = $"view at seq {view.Seq}, events at {_tracker?.Seq}";
                }
            }
            catch (Exception ex)
            {
                last = ex is HubException hub ? HubErrors.Code(hub.Message) : ex.GetType().Name;
            }

            await Task.Delay(200);
        }

        run.Violations.Report(ViolationKinds.NotSeatedAtEnd, $"{_playerId} at {roomId}: the final check did not settle ({last})");
    }

    /// <summary>Waits until the connection is back and the table caught up; false when it does not come back in time.</summary>
    private async Task<bool> BackOnlineAsync(HubConnection connection)
    {
        var deadline = Clock.Now + Clock.FromSeconds(BackOnlineTimeout.TotalSeconds);
        do
        {
            await Task.Delay(100); // the drop is seen by the invocation first, by the connection's state a moment later
            lock (_lock)
            {
                if (connection.State == HubConnectionState.Connected && _tracker is { Resuming: false } && !_resyncing)
                {
                    return true;
                }
            }
        }
        while (!run.IsStopping && connection.State != HubConnectionState.Disconnected && Clock.Now < deadline);
        return false;
    }

    private async Task ResyncAsync()
    {
        string roomId;
        lock (_lock)
        {
            if (_resyncing || _tracker is null || _connection is null)
            {
                return;
            }

            _resyncing = true;
            roomId = _tracker.RoomId;
        }

        try
        {
            var view = await _connection.InvokeAsync<TableView>(nameof(IGameHub.GetTable), roomId);
            lock (_lock)
            {
                _tracker.Resync(view);
            }
        }
        catch (Exception ex) when (!run.IsStopping)
        {
            run.Metrics.Error(ex is HubException hub ? HubErrors.Code(hub.Message) : "resync:" + ex.GetType().Name, ex.Message);
        }
        catch (Exception)
        {
            // Stopping.
        }
        finally
        {
            lock (_lock)
            {
                _resyncing = false;
                MaybeTakeTurn();
            }
        }
    }
}

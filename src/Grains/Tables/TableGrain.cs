using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using CardGame.Grains.Rules;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;

namespace CardGame.Grains;

/// <summary>
/// One room: seats, the game and <c>seq</c>. Every accepted action is written to the <c>tables</c> storage before the
/// call returns and before its events go out; a rejected action returns an error code and changes nothing.
/// The turn timer and the seat hold are driven by this grain's own timer.
/// Placed on a random compatible silo (not next to the caller, Orleans' default), so tables spread over all silos and a
/// newly added silo takes new tables.
/// </summary>
[RandomPlacement]
public sealed partial class TableGrain(
    [PersistentState("table", StorageNames.Tables)] IPersistentState<TableState> table,
    IOptions<GameOptions> gameOptions,
    TimeProvider time,
    ILogger<TableGrain> logger) : Grain, ITableGrain
{
    /// <summary>How many recent move ids the table remembers per player.</summary>
    public const int MovesRemembered = 32;

    /// <summary>How many recent events the table keeps in memory for <see cref="Resume"/>.</summary>
    public const int EventsRemembered = 256;

    private readonly GameOptions _options = gameOptions.Value;
    private readonly Queue<TableNotification> _log = new();
    private readonly List<TableNotification> _pending = [];
    private readonly List<Func<Task>> _afterCommit = [];
    private EdgeSubscribers _edges = null!;
    private IGrainTimer? _timer;
    private RoomInfo? _publishedInfo;
    private bool _poisoned;

    private string RoomId => this.GetPrimaryKeyString();

    private TableState State => table.State;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _edges = new EdgeSubscribers(RoomId, _options, time, logger);
        _timer = this.RegisterGrainTimer(OnTimerAsync, new GrainTimerCreationOptions
        {
            DueTime = Timeout.InfiniteTimeSpan,
            Period = Timeout.InfiniteTimeSpan,
            KeepAlive = false,
        });
        if (State.Exists)
        {
            // A table reactivated (possibly on another silo) re-announces itself and resumes its timers.
            PublishRoomInfo();
            ScheduleTimer();
        }

        return Task.CompletedTask;
    }

    public async Task<RoomResult> Create(string name, int seats, string creatorId)
    {
        EnsureHealthy();
        if (State.Exists || State.Seq > 0)
        {
            return RoomResult.Fail(ErrorCodes.BadRequest, "that room id is taken");
        }

        State.Exists = true;
        State.Name = name;
        State.Seats = seats;
        State.CreatorId = creatorId;
        State.Phase = Phases.Waiting;
        await CommitAsync();
        LogCreated(logger, RoomId, creatorId, seats);
        return new RoomResult(ToRoomInfo());
    }

    public async Task<TableResult> Join(PlayerSnapshot player)
    {
        EnsureHealthy();
        if (!State.Exists)
        {
            return RoomNotFound();
        }

        if (FindSeat(player.PlayerId) is not null)
        {
            return TableResult.Ok(BuildView(player.PlayerId));
        }

        if (State.Phase == Phases.Playing)
        {
            return TableResult.Fail(ErrorCodes.GameInProgress, "a game is being played at this table; join when it is over");
        }

        if (State.Players.Count >= State.Seats)
        {
            return TableResult.Fail(ErrorCodes.RoomFull, $"all {State.Seats} seats are taken");
        }

        State.Players.Add(new SeatState { PlayerId = player.PlayerId, Name = player.Name });
        Emit(new TableEvent(RoomId, 0, EventKinds.Joined, player.PlayerId));
        return await CommitAsync(player.PlayerId);
    }

    public async Task<TableResult> Start(string playerId)
    {
        EnsureHealthy();
        if (Check(playerId) is { } error)
        {
            return error;
        }

        if (State.Phase == Phases.Playing)
        {
            return TableResult.Fail(ErrorCodes.GameInProgress, "the game has already started");
        }

        if (State.Players.Count < 2)
        {
            return TableResult.Fail(ErrorCodes.NotEnoughPlayers, "a game needs at least 2 seated players");
        }

        var seed = (ulong)Random.Shared.NextInt64() ^ ((ulong)Random.Shared.Next() << 32);
        var game = CrazyEights.Deal(State.Players.Select(p => p.PlayerId).ToList(), seed);
        State.Game = game;
        State.Phase = Phases.Playing;
        State.GamesDealt++;
        State.TurnStartedAt = time.GetUtcNow();
        var hands = game.Hands.ToImmutableDictionary(h => h.Key, h => h.Value.Select(c => c.ToString()).ToImmutableArray());
        Emit(new TableEvent(RoomId, 0, EventKinds.Started, playerId, Suit: SuitNames.ToWire(game.SuitToFollow), Turn: game.Turn), hands: hands);
        LogStarted(logger, RoomId, State.Players.Count, State.GamesDealt);
        return await CommitAsync(playerId);
    }

    public Task<TableResult> Take(string playerId, string? moveId = null) => TakeAsync(playerId, moveId, auto: false);

    public async Task<TableResult> Put(string playerId, string card, string? suit, string? moveId = null)
    {
        EnsureHealthy();
        if (Check(playerId) is null && WasApplied(playerId, moveId))
        {
            return TableResult.Ok(BuildView(playerId));
        }

        if (CheckPlaying(playerId) is { } error)
        {
            return error;
        }

        var game = State.Game!;
        var result = CrazyEights.Put(game, playerId, card, suit);
        if (!result.IsOk)
        {
            return Rejected(result);
        }

        Emit(new TableEvent(RoomId, 0, EventKinds.Put, playerId, Card: card, Suit: SuitNames.ToWire(game.SuitToFollow),
            HandCount: HandCount(playerId), Turn: game.Turn));
        RememberMove(playerId, moveId);
        AfterTurn();
        return await CommitAsync(playerId);
    }

    public async Task<TableResult> Leave(string playerId)
    {
        EnsureHealthy();
        if (Check(playerId) is { } error)
        {
            return error;
        }

        RemovePlayer(FindSeat(playerId)!);
        return await CommitAsync(playerId);
    }

    public Task<TableResult> GetView(string playerId)
    {
        EnsureHealthy();
        return Task.FromResult(State.Exists ? TableResult.Ok(BuildView(playerId)) : RoomNotFound());
    }

    public Task<bool> IsSeated(string playerId) => Task.FromResult(State.Exists && FindSeat(playerId) is not null);

    public async Task SetConnected(string playerId, bool connected)
    {
        EnsureHealthy();
        var seat = FindSeat(playerId);
        if (!State.Exists || seat is null || seat.Connected == connected)
        {
            return;
        }

        seat.Connected = connected;
        seat.DisconnectedAt = connected ? null : time.GetUtcNow();
        Emit(new TableEvent(RoomId, 0, EventKinds.Connection, playerId, Connected: connected));
        await CommitAsync();
    }

    public Task<long> Subscribe(string edgeId, ITableObserver observer)
    {
        _edges.Subscribe(edgeId, observer);
        return Task.FromResult(State.Seq);
    }

    public Task Unsubscribe(string edgeId)
    {
        _edges.Unsubscribe(edgeId);
        return Task.CompletedTask;
    }

    public Task<RoomInfo?> GetInfo() => Task.FromResult(State.Exists ? ToRoomInfo() : null);

    public Task<ResumeResult> Resume(string playerId, long lastSeq)
    {
        EnsureHealthy();
        if (!State.Exists)
        {
            return Task.FromResult(ResumeResult.Fail(ErrorCodes.RoomNotFound, $"there is no room {RoomId}"));
        }

        if (lastSeq < 0 || lastSeq > State.Seq)
        {
            return Task.FromResult(ResumeResult.Fail(ErrorCodes.BadRequest, $"lastSeq must be between 0 and {State.Seq}"));
        }

        // The log holds a contiguous run of the latest events; older ones (or all, after a reactivation) are gone.
        var oldest = _log.TryPeek(out var first) ? first.Event.Seq : State.Seq + 1;
        if (lastSeq + 1 < oldest)
        {
            return Task.FromResult(new ResumeResult(null, BuildView(playerId)));
        }

        var events = _log.Where(n => n.Event.Seq > lastSeq).Select(n => n.ForRecipient(playerId)).ToList();
        return Task.FromResult(new ResumeResult(events, null));
    }

    private async Task<TableResult> TakeAsync(string playerId, string? moveId, bool auto)
    {
        EnsureHealthy();
        if (Check(playerId) is null && WasApplied(playerId, moveId))
        {
            return TableResult.Ok(BuildView(playerId));
        }

        if (CheckPlaying(playerId) is { } error)
        {
            return error;
        }

        var game = State.Game!;
        var result = CrazyEights.Take(game, playerId);
        if (!result.IsOk)
        {
            return Rejected(result);
        }

        Emit(new TableEvent(RoomId, 0, EventKinds.Took, playerId, Card: result.Card?.ToString(),
            HandCount: HandCount(playerId), Turn: game.Turn, Auto: auto ? true : null));
        RememberMove(playerId, moveId);
        AfterTurn();
        return await CommitAsync(playerId);
    }

    /// <summary>The turn timer and the seat hold: both act as the server, with <c>auto: true</c> moves.</summary>
    private async Task OnTimerAsync(CancellationToken cancellationToken)
    {
        if (_poisoned || !State.Exists)
        {
            return;
        }

        var now = time.GetUtcNow();
        foreach (var seat in State.Players.Where(s => !s.Connected && s.DisconnectedAt + _options.SeatHold <= now).ToList())
        {
            LogSeatReleased(logger, RoomId, seat.PlayerId);
            RemovePlayer(seat);
            var released = GrainFactory.GetGrain<IPlayerGrain>(seat.PlayerId);
            _afterCommit.Add(() => released.SeatReleased(RoomId));
        }

        if (State is { Phase: Phases.Playing, Game.Turn: { } turn } && State.TurnStartedAt + _options.TurnTimeout <= now)
        {
            LogTurnTimedOut(logger, RoomId, turn);
            var game = State.Game;
            var result = CrazyEights.Take(game, turn);
            if (result.IsOk)
            {
                Emit(new TableEvent(RoomId, 0, EventKinds.Took, turn, Card: result.Card?.ToString(),
                    HandCount: HandCount(turn), Turn: game.Turn, Auto: true));
                AfterTurn();
            }
        }

        if (_pending.Count == 0)
        {
            ScheduleTimer();
            return;
        }

        try
        {
            await CommitAsync();
        }
        catch (Exception ex)
        {
            LogTimerCommitFailed(logger, ex, RoomId);
            _timer?.Change(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        }
    }

    private void RemovePlayer(SeatState seat)
    {
        var recipients = SeatedIds().ToImmutableArray();
        State.Players.Remove(seat);
        var game = State.Game;
        if (State.Phase == Phases.Playing && game is not null && game.Players.Contains(seat.PlayerId))
        {
            var turnBefore = game.Turn;
            CrazyEights.Leave(game, seat.PlayerId);
            Emit(new TableEvent(RoomId, 0, EventKinds.Left, seat.PlayerId, Turn: game.Turn), recipients);
            if (game.Turn != turnBefore)
            {
                State.TurnStartedAt = time.GetUtcNow();
            }

            AfterTurn();
        }
        else
        {
            Emit(new TableEvent(RoomId, 0, EventKinds.Left, seat.PlayerId), recipients);
        }

        if (State.Players.Count == 0)
        {
            // The last player left: the room closes and leaves the room list.
            State.Exists = false;
            State.Phase = Phases.Finished;
        }
    }

    /// <summary>After a move: restart the turn clock, or finish the game when someone has won.</summary>
    private void AfterTurn()
    {
        var game = State.Game!;
        if (!game.IsFinished)
        {
            State.TurnStartedAt = time.GetUtcNow();
            return;
        }

        State.Phase = Phases.Finished;
        State.TurnStartedAt = null;
        Emit(new TableEvent(RoomId, 0, EventKinds.Finished, game.Winner, Winner: game.Winner));
        LogFinished(logger, RoomId, game.Winner!);
        foreach (var playerId in game.Players)
        {
            var player = GrainFactory.GetGrain<IPlayerGrain>(playerId);
            var won = playerId == game.Winner;
            _afterCommit.Add(() => player.GameFinished(RoomId, won));
        }
    }

    private bool WasApplied(string playerId, string? moveId) =>
        moveId is not null && State.AppliedMoves.TryGetValue(playerId, out var moves) && moves.Contains(moveId);

    private void RememberMove(string playerId, string? moveId)
    {
        if (moveId is null)
        {
            return;
        }

        if (!State.AppliedMoves.TryGetValue(playerId, out var moves))
        {
            State.AppliedMoves[playerId] = moves = [];
        }

        moves.Add(moveId);
        if (moves.Count > MovesRemembered)
        {
            moves.RemoveAt(0);
        }
    }

    private void Emit(TableEvent tableEvent, ImmutableArray<string>? recipients = null, ImmutableDictionary<string, ImmutableArray<string>>? hands = null)
    {
        State.Seq++;
        _pending.Add(new TableNotification(tableEvent with { Seq = State.Seq }, recipients ?? SeatedIds().ToImmutableArray(), hands));
    }

    /// <summary>Persists, then (and only then) publishes the events and side effects of the action.</summary>
    private async Task CommitAsync()
    {
        try
        {
            await table.WriteStateAsync();
        }
        catch (Exception ex)
        {
            _pending.Clear();
            _afterCommit.Clear();
            LogWriteFailed(logger, ex, RoomId);
            await RestoreAsync();
            throw;
        }

        foreach (var notification in _pending)
        {
            _log.Enqueue(notification);
            if (_log.Count > EventsRemembered)
            {
                _log.Dequeue();
            }
        }

        _edges.Publish(_pending.ToList());
        _pending.Clear();
        var effects = _afterCommit.ToList();
        _afterCommit.Clear();
        foreach (var effect in effects)
        {
            await effect();
        }

        PublishRoomInfo();
        ScheduleTimer();
    }

    private async Task<TableResult> CommitAsync(string viewerId)
    {
        await CommitAsync();
        return TableResult.Ok(BuildView(viewerId));
    }

    /// <summary>A failed write leaves memory ahead of storage: reload what storage has, or give up this activation.</summary>
    private async Task RestoreAsync()
    {
        try
        {
            await table.ReadStateAsync();
        }
        catch (Exception ex)
        {
            LogRestoreFailed(logger, ex, RoomId);
            _poisoned = true;
            DeactivateOnIdle();
        }
    }

    private void EnsureHealthy()
    {
        if (_poisoned)
        {
            throw new InvalidOperationException("The table is reloading from storage; retry.");
        }
    }

    private void ScheduleTimer()
    {
        if (_timer is null)
        {
            return;
        }

        DateTimeOffset? due = null;
        if (State is { Exists: true, Phase: Phases.Playing, TurnStartedAt: { } turnStarted })
        {
            due = turnStarted + _options.TurnTimeout;
        }

        foreach (var seat in State.Players)
        {
            if (!seat.Connected && seat.DisconnectedAt + _options.SeatHold is { } release && (due is null || release < due))
            {
                due = release;
            }
        }

        var dueIn = due is { } at ? at - time.GetUtcNow() : Timeout.InfiniteTimeSpan;
        _timer.Change(due is null ? Timeout.InfiniteTimeSpan : (dueIn < TimeSpan.Zero ? TimeSpan.Zero : dueIn), Timeout.InfiniteTimeSpan);
    }

    private void PublishRoomInfo()
    {
        var directory = GrainFactory.GetGrain<IRoomDirectoryGrain>(0);
        if (!State.Exists)
        {
            if (_publishedInfo is not null || State.Seq > 0)
            {
                directory.Remove(RoomId).Ignore();
                _publishedInfo = null;
            }

            return;
        }

        var info = ToRoomInfo();
        if (info != _publishedInfo)
        {
            directory.Update(info).Ignore();
            _publishedInfo = info;
        }
    }

    private TableResult? Check(string playerId)
    {
        if (!State.Exists)
        {
            return RoomNotFound();
        }

        return FindSeat(playerId) is null ? TableResult.Fail(ErrorCodes.NotSeated, "you are not seated at this table") : null;
    }

    private TableResult? CheckPlaying(string playerId)
    {
        if (Check(playerId) is { } error)
        {
            return error;
        }

        if (State.Phase != Phases.Playing || State.Game is null)
        {
            return TableResult.Fail(ErrorCodes.GameNotStarted, "no game is being played at this table");
        }

        return State.Game.Players.Contains(playerId)
            ? null
            : TableResult.Fail(ErrorCodes.NotSeated, "you are not playing in this game");
    }

    /// <summary>A rule's rejection, worded for people: players by name rather than by id.</summary>
    private TableResult Rejected(RuleResult result) => result.ErrorCode == ErrorCodes.NotYourTurn && State.Game?.Turn is { } turn
        ? TableResult.Fail(ErrorCodes.NotYourTurn, $"it is {FindSeat(turn)?.Name ?? turn}'s turn")
        : TableResult.Fail(result.ErrorCode!, result.ErrorMessage ?? result.ErrorCode!);

    private TableResult RoomNotFound() => TableResult.Fail(ErrorCodes.RoomNotFound, $"there is no room {RoomId}");

    private SeatState? FindSeat(string playerId) => State.Players.Find(p => p.PlayerId == playerId);

    private IEnumerable<string> SeatedIds() => State.Players.Select(p => p.PlayerId);

    private int HandCount(string playerId) =>
        State.Game is { } game && game.Hands.TryGetValue(playerId, out var hand) ? hand.Count : 0;

    private RoomInfo ToRoomInfo() => new(RoomId, State.Name, State.Seats, State.Players.Count, State.Phase);

    private TableView BuildView(string viewerId)
    {
        var game = State.Game;
        var players = State.Players
            .Select(p => new PlayerView(p.PlayerId, p.Name, HandCount(p.PlayerId), p.Connected))
            .ToList();
        IReadOnlyList<string>? hand = game is not null && FindSeat(viewerId) is not null && game.Hands.TryGetValue(viewerId, out var cards)
            ? cards.Select(c => c.ToString()).ToList()
            : null;
        return new TableView(
            RoomId,
            State.Name,
            State.Seq,
            State.Phase,
            State.Seats,
            players,
            State.Phase == Phases.Playing ? game?.Turn : null,
            game?.TopCard?.ToString(),
            game is null ? null : SuitNames.ToWire(game.SuitToFollow),
            game?.Stock.Count ?? 0,
            hand,
            State.Phase == Phases.Finished ? game?.Winner : null);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Room {RoomId} created by {PlayerId} with {Seats} seats")]
    private static partial void LogCreated(ILogger logger, string roomId, string playerId, int seats);

    [LoggerMessage(Level = LogLevel.Information, Message = "Room {RoomId} dealt game {Game} to {Players} players")]
    private static partial void LogStarted(ILogger logger, string roomId, int players, int game);

    [LoggerMessage(Level = LogLevel.Information, Message = "Room {RoomId} game won by {PlayerId}")]
    private static partial void LogFinished(ILogger logger, string roomId, string playerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Room {RoomId}: {PlayerId}'s turn timed out; taking a card for them")]
    private static partial void LogTurnTimedOut(ILogger logger, string roomId, string playerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Room {RoomId}: seat hold of {PlayerId} expired")]
    private static partial void LogSeatReleased(ILogger logger, string roomId, string playerId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Room {RoomId}: writing state failed; the action is not acknowledged")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, string roomId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Room {RoomId}: reloading state after a failed write failed; deactivating")]
    private static partial void LogRestoreFailed(ILogger logger, Exception exception, string roomId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Room {RoomId}: a timer action could not be persisted; retrying")]
    private static partial void LogTimerCommitFailed(ILogger logger, Exception exception, string roomId);
}

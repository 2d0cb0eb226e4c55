using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace CardGame.Grains;

/// <summary>
/// One player: name, a pointer to the room they sit at, and their record. Validates what the player asks for and keeps
/// "one room at a time". The table is the only authority on who sits there: the pointer is never believed without the
/// table it names confirming it, and it is written before the player may sit anywhere (see <see cref="JoinAsync"/>), so
/// the one table that may hold the player's seat is always the one it names. The record expires from storage
/// <c>Game:PlayerRetentionDays</c> after its last write; a player in use rewrites it before that.
/// Whether a seated player is connected is the table's to know, from the edges' lists (<see cref="SeatPresence"/>), so
/// an idle seated player needs no player grain in memory: after a call that leaves the player seated, the grain leaves
/// memory at once (the player's moves, views and presence go to the table, so their next call here may be hours away),
/// and one nobody has called for <see cref="IdleMinutes"/> leaves it too (Orleans' default is far longer); the next
/// call reads the record back. Edges of the previous version still report connections here instead
/// (<see cref="SetConnections"/>, leased per edge), which keeps their players' grains in memory and tells the table when
/// the player's last connection closes or the first one opens. A player who has finished a game here is playing: the
/// table tells their grain of every game's end (<see cref="GameFinished"/>), so that grain stays until it has been idle
/// for <see cref="IdleMinutes"/> instead of leaving memory and being read back from storage for each game. Once such a
/// player holds no seat any more because their table released it (they were gone for the seat hold), nothing will
/// call the grain for them: it leaves memory at once (see <see cref="Invoke"/>).
/// </summary>
[CollectionAgeLimit(Minutes = IdleMinutes)]
public sealed partial class PlayerGrain(
    [PersistentState("player", StorageNames.Players)] IPersistentState<PlayerState> player,
    IOptions<GameOptions> gameOptions,
    TimeProvider time,
    ShutdownMigration shutdown,
    ILogger<PlayerGrain> logger) : Grain, IPlayerGrain, IGrainMigrationParticipant, IIncomingGrainCallFilter
{
    private const string MemoryKey = "cardgame.player.memory";

    /// <summary>Minutes without a call after which a player grain leaves memory.</summary>
    public const double IdleMinutes = 2;

    private readonly GameOptions _options = gameOptions.Value;
    private readonly Dictionary<string, (int Count, DateTimeOffset ReportedAt)> _connections = [];
    private bool _connected = true;
    private bool _playing;
    private IGrainTimer? _leaseTimer;

    private string PlayerId => this.GetPrimaryKeyString();

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // A graceful stop hands the connection leases to another silo instead of forgetting them.
        shutdown.TryStart(this, reason, move: true, cancellationToken);
        return Task.CompletedTask;
    }

    public void OnDehydrate(IDehydrationContext dehydrationContext) => dehydrationContext.TryAddValue(MemoryKey, new PlayerMemory(
        [.. _connections.Select(c => new ConnectionLease(c.Key, c.Value.Count, c.Value.ReportedAt))], _connected));

    public void OnRehydrate(IRehydrationContext rehydrationContext)
    {
        if (!rehydrationContext.TryGetValue(MemoryKey, out PlayerMemory? memory))
        {
            return;
        }

        _connected = memory.Connected;
        foreach (var lease in memory.Leases)
        {
            _connections[lease.EdgeId] = (lease.Count, lease.ReportedAt);
        }
    }

    /// <summary>
    /// After each call, the grain leaves memory unless it holds what edges of the previous version reported (connection
    /// leases, or a disconnection it told the table of), or something will call it soon:
    /// <list type="bullet">
    /// <item>a seated player's next call may be hours away (moves, views and presence go to the table), unless they are
    /// playing: a game of theirs finished while the grain was in memory, and the next one's end would otherwise activate
    /// it again (an activation, a read from storage and a deactivation per player and game, where staying costs the
    /// write only);</item>
    /// <item>a player with no seat who called here themselves (signed in, opened a room, left one) is in the lobby, about
    /// to sit down: the grain stays until idle for <see cref="IdleMinutes"/>;</item>
    /// <item>a player with no seat whom a table's notice reached (<see cref="SeatReleased"/>: the seat hold of a player
    /// who was gone expired; or a late <see cref="GameFinished"/>) is not here: no next game will end at their seat, so
    /// the grain goes at once instead of being held for the idle time (with the previous code, 2 minutes for every
    /// player who walked away, and for every released player an activation that stayed after the notice woke it).</item>
    /// </list>
    /// </summary>
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        await context.Invoke();
        if (_connections.Count > 0 || !_connected)
        {
            return;
        }

        if (player.State.RoomId is null ? IsTableNotice(context) : !_playing)
        {
            DeactivateOnIdle();
        }
    }

    private static bool IsTableNotice(IIncomingGrainCallContext context) =>
        context.InterfaceMethod?.Name is nameof(IPlayerGrain.SeatReleased) or nameof(IPlayerGrain.GameFinished);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        shutdown.Track(this);
        if (_connections.Count > 0)
        {
            // Migrated here with leases: keep expiring them.
            _leaseTimer = this.RegisterGrainTimer(ExpireLeasesAsync, _options.ConnectionLease / 2, _options.ConnectionLease / 2);
        }

        return Task.CompletedTask;
    }

    public async Task<Welcome> SignIn(string name)
    {
        if (player.State.Name != name || IsRecordAging())
        {
            player.State.Name = name;
            await WriteAsync();
        }

        return new Welcome(PlayerId, name, await CurrentRoomAsync());
    }

    public async Task<RoomResult> CreateRoom(string name, int seats)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length is < 1 or > 40 || !DisplayText.IsClean(trimmed))
        {
            return RoomResult.Fail(ErrorCodes.BadRequest, "a room name is 1 to 40 characters, no control or invisible formatting characters");
        }

        if (seats is < 2 or > 6)
        {
            return RoomResult.Fail(ErrorCodes.BadRequest, "a room has 2 to 6 seats");
        }

        // A room nobody has joined is open and empty: its table has no players (a room closes when its last one leaves).
        var infos = await Task.WhenAll(player.State.UnjoinedRooms.Select(id => Table(id).GetInfo()));
        var unjoined = player.State.UnjoinedRooms.Where((_, i) => infos[i] is { Players: 0 }).ToList();
        if (unjoined.Count >= _options.MaxUnjoinedRoomsPerPlayer)
        {
            return RoomResult.Fail(ErrorCodes.LimitReached,
                $"you have {unjoined.Count} open rooms nobody has joined yet; join one or wait until they close");
        }

        var roomId = RoomIds.New();
        var result = await Table(roomId).Create(trimmed, seats, PlayerId);
        if (result.IsOk)
        {
            unjoined.Add(roomId);
        }

        if (result.IsOk || unjoined.Count != player.State.UnjoinedRooms.Count)
        {
            player.State.UnjoinedRooms = unjoined;
            await WriteAsync();
        }

        return result;
    }

    public async Task<TableResult> JoinRoom(string roomId)
    {
        if (!RoomIds.IsValid(roomId))
        {
            return BadRoomId();
        }

        var current = await CurrentRoomAsync();
        if (current is not null && current != roomId)
        {
            return TableResult.Fail(ErrorCodes.AlreadySeated, $"you are seated at room {current}; leave it first");
        }

        return await JoinAsync(roomId);
    }

    public async Task<TableResult> QuickPlay(int? seats)
    {
        if (seats is < 2 or > 6)
        {
            return TableResult.Fail(ErrorCodes.BadRequest, "quick play takes 2 to 6 seats, or null for any");
        }

        if (await CurrentRoomAsync() is { } current)
        {
            return await Table(current).GetView(PlayerId);
        }

        // The quick-play grain names a room; the player points at it, then joins it. A room that refuses (filled or dealt
        // meanwhile) is named back, and another one offered.
        var quickPlay = GrainFactory.GetGrain<IQuickPlayGrain>(seats ?? 0);
        string? refused = null;
        var joined = TableResult.Fail(ErrorCodes.Unavailable, "no quick-play room found; try again");
        for (var attempt = 0; attempt < QuickPlayGrain.MaxTries; attempt++)
        {
            var offer = await quickPlay.Offer(PlayerId, refused);
            if (!offer.IsOk)
            {
                return TableResult.Fail(offer.Error!);
            }

            joined = await JoinAsync(offer.Value!.RoomId);
            if (!QuickPlayGrain.IsRefusal(joined))
            {
                return joined;
            }

            refused = offer.Value.RoomId;
        }

        return joined;
    }

    /// <summary>
    /// Joins a room, pointing at it first: the pointer is written before the table is asked, so a join whose answer is
    /// lost (a timed-out call may still have run) or whose caller then crashes still names the table that may hold the
    /// seat. A table that answers with an error did not seat the player, and the pointer goes back to nothing. Once
    /// seated, the table hears at once if the player has no connection.
    /// </summary>
    private async Task<TableResult> JoinAsync(string roomId)
    {
        var pointed = player.State.RoomId == roomId;
        if (!pointed)
        {
            player.State.RoomId = roomId;
            await WriteAsync();
        }

        var result = await Table(roomId).Join(new PlayerSnapshot(PlayerId, player.State.Name));
        if (!result.IsOk && !pointed)
        {
            player.State.RoomId = null;
            await WriteAsync();
        }
        else if (!_connected)
        {
            await Table(roomId).SetConnected(PlayerId, false);
        }

        return result;
    }

    public async Task<TableResult> LeaveRoom(string roomId)
    {
        if (!RoomIds.IsValid(roomId))
        {
            return BadRoomId();
        }

        var result = await Table(roomId).Leave(PlayerId);
        if ((result.IsOk || result.Error?.Code is ErrorCodes.NotSeated or ErrorCodes.RoomNotFound) && player.State.RoomId == roomId)
        {
            player.State.RoomId = null;
            await WriteAsync();
        }

        return result;
    }

    public async Task SetConnections(string edgeId, int connections)
    {
        var now = time.GetUtcNow();
        if (connections > 0)
        {
            _connections[edgeId] = (connections, now);
        }
        else
        {
            _connections.Remove(edgeId);
        }

        _leaseTimer ??= this.RegisterGrainTimer(ExpireLeasesAsync, _options.ConnectionLease / 2, _options.ConnectionLease / 2);
        await UpdateConnectedAsync();
        if (connections > 0 && IsRecordAging())
        {
            // Connected for days without a game: the record is still in use, so it must not expire.
            await WriteAsync();
        }
    }

    /// <summary>Whether the stored record is old enough that a player in use should rewrite it (storage expires it otherwise).</summary>
    private bool IsRecordAging() =>
        player.State.WrittenAt is not { } written || time.GetUtcNow() - written >= _options.PlayerRecordRefresh;

    /// <summary>
    /// Every write stamps the record; storage expires it <see cref="GameOptions.PlayerRetentionDays"/> after the last one.
    /// A write that fails leaves memory ahead of storage: storage is read back (or, failing that, this activation goes),
    /// and the call fails.
    /// </summary>
    private async Task WriteAsync()
    {
        player.State.WrittenAt = time.GetUtcNow();
        try
        {
            await WriteOrRecreateAsync();
        }
        catch (Exception ex)
        {
            LogWriteFailed(logger, ex, PlayerId);
            await RestoreAsync();
            throw;
        }
    }

    private async Task WriteOrRecreateAsync()
    {
        try
        {
            await player.WriteStateAsync();
        }
        catch (InconsistentStateException)
        {
            // The record expired in storage while this activation still held it (its ETag names a key that is gone):
            // write it afresh. Anything else (another writer) is a real conflict.
            var state = player.State;
            await player.ReadStateAsync();
            if (player.RecordExists)
            {
                throw;
            }

            player.State = state;
            await player.WriteStateAsync();
        }
    }

    private async Task RestoreAsync()
    {
        try
        {
            await player.ReadStateAsync();
        }
        catch (Exception ex)
        {
            LogRestoreFailed(logger, ex, PlayerId);
            DeactivateOnIdle();
        }
    }

    /// <summary>The table's notice is news, not proof (a late one may cross a new join): the table is asked.</summary>
    public async Task SeatReleased(string roomId)
    {
        if (player.State.RoomId == roomId)
        {
            await CurrentRoomAsync();
        }
    }

    public async Task GameFinished(string roomId, bool won)
    {
        _playing = true;
        player.State.GamesPlayed++;
        if (won)
        {
            player.State.GamesWon++;
        }

        await WriteAsync();
    }

    public async Task<PlayerStats> GetStats() => new(
        PlayerId, player.State.Name, await CurrentRoomAsync(), player.State.GamesPlayed, player.State.GamesWon);

    private Task ExpireLeasesAsync(CancellationToken cancellationToken) => UpdateConnectedAsync();

    /// <summary>Tells the table when the player's connection count across all edges crosses zero.</summary>
    private async Task UpdateConnectedAsync()
    {
        var staleBefore = time.GetUtcNow() - _options.ConnectionLease;
        foreach (var stale in _connections.Where(c => c.Value.ReportedAt < staleBefore).Select(c => c.Key).ToList())
        {
            _connections.Remove(stale);
        }

        var connected = _connections.Count > 0;
        if (connected == _connected)
        {
            return;
        }

        _connected = connected;
        LogConnectionChanged(logger, PlayerId, connected);
        if (player.State.RoomId is { } roomId)
        {
            await Table(roomId).SetConnected(PlayerId, connected);
        }
    }

    /// <summary>The room the player sits at, checked with the table (a seat hold may have expired meanwhile).</summary>
    private async Task<string?> CurrentRoomAsync()
    {
        if (player.State.RoomId is not { } roomId)
        {
            return null;
        }

        if (await Table(roomId).IsSeated(PlayerId))
        {
            return roomId;
        }

        player.State.RoomId = null;
        await WriteAsync();
        return null;
    }

    private ITableGrain Table(string roomId) => GrainFactory.GetGrain<ITableGrain>(roomId);

    private static TableResult BadRoomId() => TableResult.Fail(ErrorCodes.BadRequest, "roomId is missing or malformed");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing player {PlayerId} failed; reading it back")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, string playerId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reading player {PlayerId} back failed; deactivating it")]
    private static partial void LogRestoreFailed(ILogger logger, Exception exception, string playerId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Player {PlayerId} connected: {Connected}")]
    private static partial void LogConnectionChanged(ILogger logger, string playerId, bool connected);
}

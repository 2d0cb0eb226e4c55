using System.Security.Claims;
using CardGame.Contracts.Cards;
using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using CardGame.Edge.Auth;
using CardGame.Edge.Cluster;
using CardGame.Edge.Delivery;
using Microsoft.Extensions.Options;

namespace CardGame.Edge.Application;

/// <summary>
/// The game protocol (shared/protocol.md) once, under every transport: the SignalR hub and <c>/ws</c> only read a
/// request, call one method here and format its result or its <see cref="GameException"/>. Each method: the session's
/// player, the arguments checked where they enter (<c>bad_request</c> before any grain is touched), one grain call,
/// the result. Room membership (create, join, leave) goes through the player grain, which keeps "one room at a time";
/// moves, views and resume go straight to the table as the session's authenticated player, one hop instead of two.
/// Methods that may seat the caller subscribe this edge to the table first, so no event after the returned view is
/// missed; every returned view is the table's word on who sits there (<see cref="TableSeats"/>).
/// </summary>
public sealed class GameApplication(
    PlayerSessions sessions,
    GuestTokens tokens,
    ClusterConnection cluster,
    TableRoutes routes,
    TableSubscriptions subscriptions,
    LocalPlayers players,
    TableSeats seats,
    LocalSpectators spectators,
    LobbyWatchers lobby,
    HedgedCalls hedged,
    EdgeNode edge,
    TableEventFanOut fanOut,
    IOptions<EdgeOptions> options)
{
    private const int MaxRoomIdLength = 64;

    private readonly bool _moveEventsWithAnswer = options.Value.MoveEventsWithAnswer;

    /// <summary>A connection opened; with a valid token (<paramref name="user"/>) it plays as that player right away.</summary>
    public Task ConnectedAsync(ClientSession session, HubToken? token) => sessions.ConnectedAsync(session, token);

    public void Disconnected(ClientSession session) => sessions.Disconnected(session);

    public async Task<Welcome> AuthenticateAsync(ClientSession session, string? token)
    {
        var (player, claims, error) = await tokens.ValidateAsync(token);
        return player is null
            ? throw new GameException(new GameError(error!, error == ErrorCodes.TokenExpired ? "the token has expired; sign in again" : "the token is not valid here"))
            : await sessions.AuthenticateAsync(session, player, claims);
    }

    public async Task<IReadOnlyList<RoomInfo>> ListRoomsAsync(ClientSession session)
    {
        await sessions.RequirePlayerAsync(session);
        return await hedged.RunAsync("ListRooms", () => cluster.Grains.GetGrain<IRoomListGrain>(0).List(), leaving: routes.Leaving);
    }

    public async Task<RoomInfo> CreateRoomAsync(ClientSession session, CreateRoomRequest? request)
    {
        var player = await sessions.RequirePlayerAsync(session);
        if (request is null)
        {
            throw new GameException(GameError.BadRequest("creating a room takes {name, seats}"));
        }

        return Unwrap(await Player(player).CreateRoom(request.Name ?? "", request.Seats ?? 4));
    }

    public async Task<TableView> JoinRoomAsync(ClientSession session, string? roomId)
    {
        var player = await sessions.RequirePlayerAsync(session);
        var room = RoomId(roomId);
        using var hold = await subscriptions.HoldAsync(room, refresh: true);
        return Seen(Unwrap(Routed(await Player(player).JoinRoom(room))));
    }

    public async Task<TableView> StartGameAsync(ClientSession session, string? roomId)
    {
        var player = await sessions.RequirePlayerAsync(session);
        return Seen(Unwrap(await CallTable(roomId, t => t.Start(player.PlayerId))));
    }

    public async Task<TableView> TakeCardAsync(ClientSession session, string? roomId, string? moveId)
    {
        var player = await sessions.RequirePlayerAsync(session);
        return Seen(Unwrap(await MoveAsync(RoomId(roomId), moveId, "TakeCard", t => t.Take(player.PlayerId, moveId))));
    }

    public async Task<TableView> PutCardAsync(ClientSession session, string? roomId, string? card, string? suit, string? moveId)
    {
        var player = await sessions.RequirePlayerAsync(session);
        var room = RoomId(roomId);
        if (!Card.TryParse(card, out _))
        {
            throw new GameException(GameError.BadRequest(card is null ? "which card? e.g. 10H, QS, 8C" : $"{Quote(card)} is not a card (e.g. 10H, QS, 8C)"));
        }

        if (!string.IsNullOrEmpty(suit) && !SuitNames.TryParse(suit, out _))
        {
            throw new GameException(GameError.BadRequest($"{Quote(suit)} is not a suit: C, D, H or S"));
        }

        return Seen(Unwrap(await MoveAsync(room, moveId, "PutCard", t => t.Put(player.PlayerId, card, suit, moveId))));
    }

    public async Task<Resumed> ResumeAsync(ClientSession session, string? roomId, long lastSeq)
    {
        var player = await sessions.RequirePlayerAsync(session);
        var room = RoomId(roomId);
        using var hold = await subscriptions.HoldAsync(room, refresh: false);
        ThrowIfMissing(hold, room);
        var resumed = Unwrap(await hedged.RunAsync("Resume", () => CallTable(room, t => t.Resume(player.PlayerId, lastSeq)), routes.RouteDropped(room), routes.Leaving));
        return resumed.View is { } view ? resumed with { View = Seen(view) } : resumed;
    }

    public async Task LeaveRoomAsync(ClientSession session, string? roomId)
    {
        var player = await sessions.RequirePlayerAsync(session);
        var room = RoomId(roomId);
        var result = await Player(player).LeaveRoom(room);
        if (result.Value is { } view)
        {
            Seen(view);
        }

        Unwrap(result);
    }

    public async Task<TableView> GetTableAsync(ClientSession session, string? roomId)
    {
        var player = await sessions.RequirePlayerAsync(session);
        var room = RoomId(roomId);
        using var hold = await subscriptions.HoldAsync(room, refresh: false);
        ThrowIfMissing(hold, room);
        return Seen(Unwrap(await hedged.RunAsync("GetTable", () => CallTable(room, t => t.GetView(player.PlayerId)), routes.RouteDropped(room), routes.Leaving)));
    }

    public async Task<TableView> QuickPlayAsync(ClientSession session, QuickPlayRequest? request)
    {
        var player = await sessions.RequirePlayerAsync(session);
        if (request?.Seats is < 2 or > 6)
        {
            throw new GameException(GameError.BadRequest("quick play takes {seats}: 2 to 6, or null for any size"));
        }

        var view = Unwrap(Routed(await Player(player).QuickPlay(request?.Seats)));
        // The room is known only now: subscribe, then resync, so no event after the view we return is missed.
        using var hold = await subscriptions.HoldAsync(view.RoomId, refresh: true);
        return Seen(Unwrap(await hedged.RunAsync("QuickPlay", () => CallTable(view.RoomId, t => t.GetView(player.PlayerId)), routes.RouteDropped(view.RoomId), routes.Leaving)));
    }

    /// <summary>
    /// Watches a room (no seat): counted first, so the subscription tells the table this edge has one more spectator,
    /// then the view; events after it reach the connection in their public form (<see cref="TableEventFanOut"/>).
    /// </summary>
    public async Task<TableView> WatchRoomAsync(ClientSession session, string? roomId)
    {
        var player = await sessions.RequirePlayerAsync(session);
        var room = RoomId(roomId);
        var connection = players.Connection(session.Connection.Id) ?? throw new GameException(GameError.AuthRequired());
        var outcome = spectators.Watch(connection, room);
        if (outcome == LocalSpectators.WatchOutcome.LimitReached)
        {
            throw new GameException(new GameError(ErrorCodes.LimitReached,
                $"a connection watches at most {LocalSpectators.MaxRoomsPerConnection} rooms at once; stop watching one first"));
        }

        try
        {
            await subscriptions.WatchersChangedAsync(room);
            var view = Unwrap(await hedged.RunAsync("WatchRoom", () => CallTable(room, t => t.GetView(player.PlayerId)), routes.RouteDropped(room), routes.Leaving));
            return Seen(view);
        }
        catch when (outcome == LocalSpectators.WatchOutcome.Added)
        {
            // Not watched after all (no such room, or the cluster did not answer): nothing is kept.
            spectators.Unwatch(connection.ConnectionId, room);
            _ = subscriptions.WatchersChangedAsync(room);
            throw;
        }
    }

    public async Task StopWatchingAsync(ClientSession session, string? roomId)
    {
        await sessions.RequirePlayerAsync(session);
        var room = RoomId(roomId);
        if (spectators.Unwatch(session.Connection.Id, room))
        {
            await subscriptions.WatchersChangedAsync(room);
        }
    }

    /// <summary>The room list, read after this edge is subscribed to every directory shard, so no later change is missed.</summary>
    public async Task<IReadOnlyList<RoomInfo>> WatchLobbyAsync(ClientSession session)
    {
        await sessions.RequirePlayerAsync(session);
        var connection = players.Connection(session.Connection.Id) ?? throw new GameException(GameError.AuthRequired());
        await lobby.WatchAsync(connection);
        return await hedged.RunAsync("WatchLobby", () => cluster.Grains.GetGrain<IRoomListGrain>(0).ListFresh(), leaving: routes.Leaving);
    }

    public async Task StopWatchingLobbyAsync(ClientSession session)
    {
        await sessions.RequirePlayerAsync(session);
        lobby.Unwatch(session.Connection.Id);
    }

    /// <summary>
    /// The table answered the subscription with "no such room": the answer is <c>room_not_found</c> at once, without a
    /// second call (which would activate the table again just to say the same).
    /// </summary>
    private static void ThrowIfMissing(RoomHold hold, string roomId)
    {
        if (hold.RoomMissing)
        {
            throw new GameException(GameError.RoomNotFound(roomId));
        }
    }

    /// <summary>
    /// A move, sent as <see cref="Repeatable"/> says, asking for its events with the answer (<see cref="MoveWithEvents"/>)
    /// unless <c>Edge:MoveEventsWithAnswer</c> is off.
    /// </summary>
    private Task<GameResult<TableView>> MoveAsync(string roomId, string? moveId, string method, Func<ITableGrain, Task<GameResult<TableView>>> move)
    {
        if (!_moveEventsWithAnswer)
        {
            return Repeatable(moveId, roomId, method, () => CallTable(roomId, move));
        }

        // One delegate for every attempt (a lambda here would make a closure and two delegates per attempt).
        Func<ITableGrain, Task<GameResult<TableView>>> send = new MoveWithEvents(roomId, edge.EdgeId, fanOut, move).SendAsync;
        return Repeatable(moveId, roomId, method, () => CallTable(roomId, send));
    }

    /// <summary>
    /// A move is sent again without an answer (<see cref="HedgedCalls"/>) only with a moveId: only then is it applied
    /// once. At once when the connection to the table's silo that it went through is dropped meanwhile.
    /// </summary>
    private Task<GameResult<TableView>> Repeatable(string? moveId, string? roomId, string method, Func<Task<GameResult<TableView>>> move) =>
        moveId is null ? move() : hedged.RunAsync(method, move, roomId is null ? CancellationToken.None : routes.RouteDropped(roomId), routes.Leaving);

    /// <summary>The value of a successful grain call, or its error as a <see cref="GameException"/>.</summary>
    private static T Unwrap<T>(GameResult<T> result)
        where T : class =>
        result.Error is { } error ? throw new GameException(error)
            : result.Value ?? throw new GameException(GameError.Unavailable("the table returned nothing; retry"));

    private IPlayerGrain Player(PlayerIdentity player) => cluster.Grains.GetGrain<IPlayerGrain>(player.PlayerId);

    /// <summary>
    /// Calls the room's table through the silo that hosts it when this edge knows it (<see cref="TableRoutes"/>);
    /// <c>bad_request</c> for a malformed room id, before any grain is touched.
    /// </summary>
    private Task<GameResult<T>> CallTable<T>(string? roomId, Func<ITableGrain, Task<GameResult<T>>> call)
        where T : class => routes.CallAsync(RoomId(roomId), call);

    /// <summary>A table's answer relayed by a player grain still says where the table lives (when it is the table's).</summary>
    private GameResult<TableView> Routed(GameResult<TableView> result)
    {
        if (result is { Value: { } view, Gateway: not null })
        {
            routes.Learn(view.RoomId, result.Gateway);
        }

        return result;
    }

    /// <summary>Records the table's word on who sits there, as of the view's seq (<see cref="TableSeats"/>).</summary>
    private TableView Seen(TableView view)
    {
        seats.Said(view);
        return view;
    }

    private static string RoomId(string? roomId) =>
        roomId is { Length: > 0 and <= MaxRoomIdLength } && roomId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? roomId
            : throw new GameException(GameError.BadRequest("roomId is missing or malformed"));

    // Echo at most a little of what a client sent.
    private static string Quote(string text) => text.Length <= 12 ? $"'{text}'" : $"'{text[..12]}…'";
}

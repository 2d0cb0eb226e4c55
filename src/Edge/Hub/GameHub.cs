using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using CardGame.Edge.Auth;
using CardGame.Edge.Cluster;
using CardGame.Edge.Delivery;
using Microsoft.AspNetCore.SignalR;

namespace CardGame.Edge.Hub;

/// <summary>
/// The game protocol (shared/protocol.md) at <see cref="Path"/>. Each method: the connection's player, one grain
/// call, the result (a grain's error code becomes a <see cref="HubException"/>). Room membership (create, join,
/// leave) goes through the player grain, which keeps "one room at a time"; moves, views and resume go straight to the
/// table as the connection's authenticated player, one hop instead of two. Methods that may seat the caller
/// subscribe this edge to the table first, so no event after the returned view is missed.
/// </summary>
public sealed class GameHub(
    PlayerSessions sessions,
    GuestTokens tokens,
    ClusterConnection cluster,
    TableSubscriptions subscriptions,
    LocalPlayers players) : Hub<IGameClient>, IGameHub
{
    public const string Path = "/hubs/game";

    public override Task OnConnectedAsync() => sessions.ConnectedAsync(Context);

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        sessions.Disconnected(Context);
        return Task.CompletedTask;
    }

    public async Task<Welcome> Authenticate(string token)
    {
        var (player, claims, error) = await tokens.ValidateAsync(token);
        return player is null
            ? throw GameErrors.Create(error!, error == ErrorCodes.TokenExpired ? "the token has expired; sign in again" : "the token is not valid here")
            : await sessions.AuthenticateAsync(Context, player, claims);
    }

    public async Task<IReadOnlyList<RoomInfo>> ListRooms()
    {
        await sessions.RequirePlayerAsync(Context);
        return await cluster.Grains.GetGrain<IRoomListGrain>(0).List();
    }

    public async Task<RoomInfo> CreateRoom(CreateRoomRequest request)
    {
        var player = await sessions.RequirePlayerAsync(Context);
        if (request is null)
        {
            throw GameErrors.BadRequest("CreateRoom takes {name, seats}");
        }

        return GameErrors.Unwrap(await Player(player).CreateRoom(request.Name ?? "", request.Seats ?? 4));
    }

    public async Task<TableView> JoinRoom(string roomId)
    {
        var player = await sessions.RequirePlayerAsync(Context);
        using var hold = await subscriptions.HoldAsync(RoomId(roomId), refresh: true);
        return Seen(player, GameErrors.Unwrap(await Player(player).JoinRoom(roomId)));
    }

    public async Task<TableView> StartGame(string roomId)
    {
        var player = await sessions.RequirePlayerAsync(Context);
        return Seen(player, GameErrors.Unwrap(await Table(roomId).Start(player.PlayerId)));
    }

    public async Task<TableView> TakeCard(string roomId, string? moveId)
    {
        var player = await sessions.RequirePlayerAsync(Context);
        return Seen(player, GameErrors.Unwrap(await Table(roomId).Take(player.PlayerId, moveId)));
    }

    public async Task<TableView> PutCard(string roomId, string card, string? suit, string? moveId)
    {
        var player = await sessions.RequirePlayerAsync(Context);
        return Seen(player, GameErrors.Unwrap(await Table(roomId).Put(player.PlayerId, card, suit, moveId)));
    }

    public async Task<Resumed> Resume(string roomId, long lastSeq)
    {
        var player = await sessions.RequirePlayerAsync(Context);
        using var hold = await subscriptions.HoldAsync(RoomId(roomId), refresh: false);
        var result = await Table(roomId).Resume(player.PlayerId, lastSeq);
        if (!result.IsOk)
        {
            throw GameErrors.Create(result.ErrorCode!, result.ErrorMessage ?? result.ErrorCode!);
        }

        return new Resumed(result.Events, result.View is { } view ? Seen(player, view) : null);
    }

    public async Task LeaveRoom(string roomId)
    {
        var player = await sessions.RequirePlayerAsync(Context);
        var result = await Player(player).LeaveRoom(RoomId(roomId));
        if (result.IsOk || result.ErrorCode is ErrorCodes.NotSeated or ErrorCodes.RoomNotFound)
        {
            players.NotSeated(player.PlayerId, roomId, long.MaxValue);
        }

        GameErrors.Unwrap(result);
    }

    public async Task<TableView> GetTable(string roomId)
    {
        var player = await sessions.RequirePlayerAsync(Context);
        using var hold = await subscriptions.HoldAsync(RoomId(roomId), refresh: false);
        return Seen(player, GameErrors.Unwrap(await Table(roomId).GetView(player.PlayerId)));
    }

    private IPlayerGrain Player(PlayerIdentity player) => cluster.Grains.GetGrain<IPlayerGrain>(player.PlayerId);

    /// <summary>The room's table grain; <c>bad_request</c> for a malformed room id, before any grain is touched.</summary>
    private ITableGrain Table(string? roomId) => cluster.Grains.GetGrain<ITableGrain>(RoomId(roomId));

    /// <summary>Records whether the caller sits at the table, as of the view's seq.</summary>
    private TableView Seen(PlayerIdentity player, TableView view)
    {
        if (view.Players.Any(p => p.PlayerId == player.PlayerId))
        {
            players.Seated(player.PlayerId, view.RoomId, view.Seq);
        }
        else
        {
            players.NotSeated(player.PlayerId, view.RoomId, view.Seq);
        }

        return view;
    }

    private static string RoomId(string? roomId) =>
        roomId is { Length: > 0 and <= 64 } && roomId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? roomId
            : throw GameErrors.BadRequest("roomId is missing or malformed");
}

using CardGame.Contracts.Protocol;
using CardGame.Edge.Application;
using CardGame.Edge.Auth;
using CardGame.Edge.Web;
using Microsoft.AspNetCore.SignalR;

namespace CardGame.Edge.Hub;

/// <summary>
/// The game protocol (shared/protocol.md) over SignalR at <see cref="Path"/>: each method hands its arguments to
/// <see cref="GameApplication"/>. <see cref="GameHubFilter"/> runs every invocation (limits, errors as
/// <c>HubException</c>s).
/// </summary>
public sealed class GameHub(GameApplication game, HubSessions sessions) : Hub<IGameClient>, IGameHub
{
    public const string Path = "/hubs/game";

    private ClientSession Session => sessions.Of(Context);

    public override Task OnConnectedAsync()
    {
        LongLivedRequest.ForgetHeadersAndQuery(Context.GetHttpContext());
        // What the request's token said, if it had one (UseHubTokenCheck).
        return game.ConnectedAsync(Session, Context.User as HubToken);
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        game.Disconnected(Session);
        return Task.CompletedTask;
    }

    public Task<Welcome> Authenticate(string token) => game.AuthenticateAsync(Session, token);

    public Task<IReadOnlyList<RoomInfo>> ListRooms() => game.ListRoomsAsync(Session);

    public Task<RoomInfo> CreateRoom(CreateRoomRequest request) => game.CreateRoomAsync(Session, request);

    public Task<TableView> JoinRoom(string roomId) => game.JoinRoomAsync(Session, roomId);

    public Task<TableView> StartGame(string roomId) => game.StartGameAsync(Session, roomId);

    public Task<TableView> TakeCard(string roomId, string? moveId) => game.TakeCardAsync(Session, roomId, moveId);

    public Task<TableView> PutCard(string roomId, string card, string? suit, string? moveId) =>
        game.PutCardAsync(Session, roomId, card, suit, moveId);

    public Task<Resumed> Resume(string roomId, long lastSeq) => game.ResumeAsync(Session, roomId, lastSeq);

    public Task LeaveRoom(string roomId) => game.LeaveRoomAsync(Session, roomId);

    public Task<TableView> GetTable(string roomId) => game.GetTableAsync(Session, roomId);

    public Task<TableView> QuickPlay(QuickPlayRequest request) => game.QuickPlayAsync(Session, request);

    public Task<TableView> WatchRoom(string roomId) => game.WatchRoomAsync(Session, roomId);

    public Task StopWatching(string roomId) => game.StopWatchingAsync(Session, roomId);

    public Task<IReadOnlyList<RoomInfo>> WatchLobby() => game.WatchLobbyAsync(Session);

    public Task StopWatchingLobby() => game.StopWatchingLobbyAsync(Session);
}

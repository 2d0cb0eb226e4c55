namespace CardGame.Contracts.Protocol;

/// <summary>Client → server: the hub methods of the wire contract, served at <c>/hubs/game</c>.</summary>
public interface IGameHub
{
    Task<Welcome> Authenticate(string token);
    Task<IReadOnlyList<RoomInfo>> ListRooms();
    Task<RoomInfo> CreateRoom(CreateRoomRequest request);
    Task<TableView> JoinRoom(string roomId);
    Task<TableView> StartGame(string roomId);
    /// <summary><paramref name="moveId"/> is optional (may be left out): a retry with the same id is applied once.</summary>
    Task<TableView> TakeCard(string roomId, string? moveId);

    /// <summary><paramref name="moveId"/> is optional (may be left out): a retry with the same id is applied once.</summary>
    Task<TableView> PutCard(string roomId, string card, string? suit, string? moveId);

    /// <summary>The caller's events after <paramref name="lastSeq"/>, or a fresh view when the table no longer has them.</summary>
    Task<Resumed> Resume(string roomId, long lastSeq);
    Task LeaveRoom(string roomId);
    Task<TableView> GetTable(string roomId);

    /// <summary>Seats the caller at a waiting room with a free seat (fullest first) or a new quick-play room; while seated, that room's view.</summary>
    Task<TableView> QuickPlay(QuickPlayRequest request);

    /// <summary>Watches a room without a seat: its view, then its events with every private part removed.</summary>
    Task<TableView> WatchRoom(string roomId);

    Task StopWatching(string roomId);

    /// <summary>The room list, then <see cref="IGameClient.LobbyEvent"/>s for every change of it.</summary>
    Task<IReadOnlyList<RoomInfo>> WatchLobby();

    Task StopWatchingLobby();
}

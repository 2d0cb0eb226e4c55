namespace CardGame.Contracts.Protocol;

/// <summary>Client → server: the hub methods of the wire contract, served at <c>/hubs/game</c>.</summary>
public interface IGameHub
{
    Task<Welcome> Authenticate(string token);
    Task<IReadOnlyList<RoomInfo>> ListRooms();
    Task<RoomInfo> CreateRoom(CreateRoomRequest request);
    Task<TableView> JoinRoom(string roomId);
    Task<TableView> StartGame(string roomId);
    Task<TableView> TakeCard(string roomId);
    Task<TableView> PutCard(string roomId, string card, string? suit);
    Task LeaveRoom(string roomId);
    Task<TableView> GetTable(string roomId);
}

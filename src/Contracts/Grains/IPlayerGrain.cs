using CardGame.Contracts.Protocol;

using Orleans.Concurrency;

namespace CardGame.Contracts.Grains;

/// <summary>
/// One grain per player (key: the player id, the token's <c>sub</c>). Remembers the player's name, the room they sit
/// at and their record, and forwards their actions to that room's <see cref="ITableGrain"/>. Edges call this grain for
/// sign-in and room membership (create, join, leave: "one room at a time") and call the table directly for moves,
/// views and resume (one hop fewer on the hot path; the forwarding methods here remain for in-cluster callers).
/// This grain calls tables; tables only send it one-way notices, so calls never form a cycle.
/// </summary>
[Alias("cardgame.IPlayerGrain")]
public interface IPlayerGrain : IGrainWithStringKey
{
    [Alias("SignIn")]
    Task<Welcome> SignIn(string name);

    [Alias("CreateRoom")]
    Task<GameResult<RoomInfo>> CreateRoom(string name, int seats);

    [Alias("JoinRoom")]
    Task<GameResult<TableView>> JoinRoom(string roomId);

    [Alias("StartGame")]
    Task<GameResult<TableView>> StartGame(string roomId);

    [Alias("TakeCard")]
    Task<GameResult<TableView>> TakeCard(string roomId, string? moveId = null);

    [Alias("PutCard")]
    Task<GameResult<TableView>> PutCard(string roomId, string card, string? suit, string? moveId = null);

    [Alias("Resume")]
    Task<GameResult<Resumed>> Resume(string roomId, long lastSeq);

    [Alias("LeaveRoom")]
    Task<GameResult<TableView>> LeaveRoom(string roomId);

    [Alias("GetTable")]
    Task<GameResult<TableView>> GetTable(string roomId);

    /// <summary>
    /// An edge reports its live connection count for this player (0 when the last one closed). Edges repeat it
    /// periodically; an edge that stops repeating is taken as gone.
    /// </summary>
    [Alias("SetConnections")]
    Task SetConnections(string edgeId, int connections);

    /// <summary>One-way notice from a table: the player no longer holds a seat there (left, or seat hold expired).</summary>
    [Alias("SeatReleased"), OneWay]
    Task SeatReleased(string roomId);

    /// <summary>One-way notice from a table: a game the player was in finished.</summary>
    [Alias("GameFinished"), OneWay]
    Task GameFinished(string roomId, bool won);

    [Alias("GetStats")]
    Task<PlayerStats> GetStats();
}

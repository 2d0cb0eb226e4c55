using Orleans.CodeGeneration;
using CardGame.Contracts.Protocol;

using Orleans.Concurrency;

namespace CardGame.Contracts.Grains;

/// <summary>
/// One grain per player (key: the player id, the token's <c>sub</c>). Remembers the player's name, a pointer to the room
/// they sit at (the table is the authority: the pointer is checked with it) and their record. Edges call this grain for
/// sign-in and room membership (create, join, quick play, leave: "one room at a time") and call the table directly for
/// moves, views and resume, as the connection's authenticated player.
/// This grain calls tables; tables only send it one-way notices, so calls never form a cycle.
/// </summary>
[Alias("cardgame.IPlayerGrain")]
[Version(1)]
public interface IPlayerGrain : IGrainWithStringKey
{
    [Alias("SignIn")]
    Task<Welcome> SignIn(string name);

    [Alias("CreateRoom")]
    Task<GameResult<RoomInfo>> CreateRoom(string name, int seats);

    [Alias("JoinRoom")]
    Task<GameResult<TableView>> JoinRoom(string roomId);

    /// <summary>
    /// Seats the player at a waiting room with a free seat (of <paramref name="seats"/> seats, or any size when null)
    /// or at a new quick-play room; while seated, the view of that room (idempotent).
    /// </summary>
    [Alias("QuickPlay")]
    Task<GameResult<TableView>> QuickPlay(int? seats);

    [Alias("LeaveRoom")]
    Task<GameResult<TableView>> LeaveRoom(string roomId);

    /// <summary>
    /// An edge of the previous version reports its live connection count for this player (0 when the last one closed),
    /// repeated periodically; an edge that stops repeating is taken as gone. Edges of this version tell the tables
    /// instead (<see cref="ITableGrain.Follow"/>); this stays for a rolling upgrade, while both kinds run side by side.
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

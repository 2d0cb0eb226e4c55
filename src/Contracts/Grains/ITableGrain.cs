using System.Collections.Immutable;
using Orleans.CodeGeneration;
using CardGame.Contracts.Protocol;

namespace CardGame.Contracts.Grains;

/// <summary>
/// One grain per room (key: the room id). Holds seats, the game and <c>seq</c>; every accepted action is persisted
/// before the call returns. Called by <see cref="IPlayerGrain"/> (room membership) and by edges (moves, views, resume,
/// subscriptions) with the connection's authenticated player id: the table trusts its in-cluster callers for who is
/// asking and validates everything else (turn, seat, card, move id).
/// </summary>
[Alias("cardgame.ITableGrain")]
[Version(2)]
public interface ITableGrain : IGrainWithStringKey
{
    /// <summary>
    /// Creates the room. Fails with <c>bad_request</c> if it exists already. A <paramref name="quickPlay"/> room deals by
    /// itself as soon as its last seat is taken.
    /// </summary>
    [Alias("Create")]
    Task<GameResult<RoomInfo>> Create(string name, int seats, string creatorId, bool quickPlay = false);

    [Alias("Join")]
    Task<GameResult<TableView>> Join(PlayerSnapshot player);

    [Alias("Start")]
    Task<GameResult<TableView>> Start(string playerId);

    /// <summary>
    /// Takes a card. With a <paramref name="moveId"/> (client-chosen), a retry of a move the table already applied
    /// returns the current view instead of applying it again.
    /// </summary>
    [Alias("Take")]
    Task<GameResult<TableView>> Take(string playerId, string? moveId = null);

    /// <summary>Puts a card; <paramref name="moveId"/> as for <see cref="Take"/>.</summary>
    [Alias("Put")]
    Task<GameResult<TableView>> Put(string playerId, string card, string? suit, string? moveId = null);

    /// <summary>The events after <paramref name="lastSeq"/> as <paramref name="playerId"/> may see them, or a view.</summary>
    [Alias("Resume")]
    Task<GameResult<Resumed>> Resume(string playerId, long lastSeq);

    [Alias("Leave")]
    Task<GameResult<TableView>> Leave(string playerId);

    [Alias("GetView")]
    Task<GameResult<TableView>> GetView(string playerId);

    /// <summary>Whether <paramref name="playerId"/> holds a seat here.</summary>
    [Alias("IsSeated")]
    Task<bool> IsSeated(string playerId);

    /// <summary>
    /// The player's live connection count across all edges went to zero (<paramref name="connected"/> false) or up
    /// from zero. A disconnected seated player keeps the seat for <c>Game:SeatHoldSeconds</c>.
    /// </summary>
    [Alias("SetConnected")]
    Task SetConnected(string playerId, bool connected);

    /// <summary>
    /// The <c>RequestContext</c> key an edge sets, to its edge id, on a <see cref="Take"/> or <see cref="Put"/> it sends
    /// the table itself: it takes the move's events with the answer (<see cref="GameResult{T}.Events"/>). When nothing
    /// published before is still queued for that edge, the table puts them there and does not send them to the edge's
    /// observer; the edge hands them on as it would a batch from its observer. An edge of an earlier version does not
    /// set it and gets them through its observer; a silo of an earlier version ignores it.
    /// </summary>
    const string EventsWithAnswer = "cardgame.events-with-answer";

    /// <summary>What <see cref="Subscribe"/> answers for a room that does not exist (it subscribes nothing).</summary>
    const long NoSuchRoom = -1;

    /// <summary>
    /// Registers (or refreshes) <paramref name="edgeId"/>'s observer, with the number of connections on that edge
    /// watching this room (<paramref name="spectators"/>; the table shows the sum over edges). Returns the table's
    /// current <c>seq</c>, or <see cref="NoSuchRoom"/> (subscribing nothing) when the room does not exist. A
    /// subscription not refreshed within the table's subscription lifetime expires.
    /// </summary>
    [Alias("Subscribe")]
    Task<long> Subscribe(string edgeId, ITableObserver observer, int spectators = 0);

    /// <summary>
    /// <see cref="Subscribe"/> from an edge that has passed on this room's events up to <paramref name="seenSeq"/>
    /// (<see cref="NoSuchRoom"/>: none). When the table does not know the edge (its activation started without the
    /// previous one's memory, or it dropped the edge), it first sends the edge the events after
    /// <paramref name="seenSeq"/> that it still remembers, so an event published while the edge was not subscribed
    /// is not lost to it. The edge drops by <c>seq</c> what it had already.
    /// </summary>
    [Alias("SubscribeAfter")]
    Task<long> SubscribeAfter(string edgeId, ITableObserver observer, int spectators, long seenSeq);

    /// <summary>
    /// <see cref="SubscribeAfter"/> from an edge that also says who of the players seated here has a live connection on
    /// it (<paramref name="present"/>, the whole list each time) and who of those it named before no longer has
    /// (<paramref name="departed"/>). The table counts a seated player as connected while the latest list of some edge,
    /// refreshed within the subscription lifetime, names them; a player whom a list named (or an edge says departed) and
    /// none names any more is disconnected, as are the players of an edge that stops refreshing once its list lapses.
    /// So a seated player's presence costs the edge no call of its own and needs no player grain in memory.
    /// </summary>
    [Alias("Follow")]
    Task<long> Follow(string edgeId, ITableObserver observer, int spectators, long seenSeq, ImmutableArray<string> present, ImmutableArray<string> departed);

    /// <summary>
    /// Stops sending events to <paramref name="edgeId"/>. The players its last list named stay connected until that
    /// list would have lapsed (an edge that stops as it drains: its players are reconnecting through another edge).
    /// </summary>
    [Alias("Unsubscribe")]
    Task Unsubscribe(string edgeId);

    /// <summary>
    /// <see cref="Unsubscribe"/> from an edge that no longer has a connection of any player seated here: the players
    /// its list named, and <paramref name="departed"/> (those it last named, in case this activation never saw its
    /// list), are no longer connected through it, at once.
    /// </summary>
    [Alias("Unfollow")]
    Task Unfollow(string edgeId, ImmutableArray<string> departed);

    /// <summary>The room's list entry, or null if the room does not exist.</summary>
    [Alias("GetInfo")]
    Task<RoomInfo?> GetInfo();
}

using System.Net;
using CardGame.Contracts.Protocol;
using CardGame.Edge.Delivery;

namespace CardGame.Edge.Application;

/// <summary>One client connection as the application sees it, whatever its transport (the SignalR hub or <c>/ws</c>).</summary>
public interface IClientConnection
{
    /// <summary>Unique on this edge.</summary>
    string Id { get; }

    /// <summary>The client's address (as trusted proxies forwarded it), if known.</summary>
    IPAddress? RemoteAddress { get; }

    /// <summary>Sends one table event; called by one loop per connection, in <c>seq</c> order.</summary>
    Task SendEventAsync(TableEvent tableEvent);

    /// <summary>
    /// Sends one table event that other connections of this edge get in the same form (a spectator's), encoded once per
    /// edge (<see cref="PreparedEvent{TEvent}.Encoded"/>); called by the same loop, in <c>seq</c> order.
    /// </summary>
    Task SendEventAsync(PreparedEvent<TableEvent> tableEvent);

    /// <summary>
    /// Sends changes of the room list, in order, to a connection watching the lobby; called by the same loop. Each is
    /// encoded once per edge (<see cref="PreparedEvent{TEvent}.Encoded"/>), not once per connection.
    /// </summary>
    Task SendLobbyEventsAsync(IReadOnlyList<PreparedEvent<LobbyEvent>> lobbyEvents);

    /// <summary>Closes the connection telling the client why (<paramref name="reason"/>), so it does not retry on its own.</summary>
    Task<bool> CloseAsync(GameError reason);

    /// <summary>Drops the connection at once, without a reason.</summary>
    void Abort();
}

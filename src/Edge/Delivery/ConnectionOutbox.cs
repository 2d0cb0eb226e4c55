using System.Threading.Channels;
using CardGame.Contracts.Protocol;
using CardGame.Edge.Application;

namespace CardGame.Edge.Delivery;

/// <summary>
/// The ordered queue of one connection's events (on any transport), sent by its own loop: a slow client delays only
/// itself. A client that falls <see cref="EdgeOptions.MaxQueuedEventsPerConnection"/> table events behind is
/// disconnected; on reconnect it resyncs with <c>GetTable</c>. Lobby events wait coalesced per room (a room's latest
/// state replaces the one not sent yet), so a burst of room-list changes costs a slow watcher at most one entry per
/// room, up to <see cref="MaxPendingLobbyRooms"/>.
/// </summary>
public sealed partial class ConnectionOutbox
{
    /// <summary>Rooms with a lobby event not yet sent to this connection, beyond which it is closed as too slow.</summary>
    public const int MaxPendingLobbyRooms = 20_000;

    private static readonly object LobbyReady = new();

    private readonly Channel<object> _events;
    private readonly IClientConnection _connection;
    private readonly ILogger _logger;
    private readonly Lock _lobbyGate = new();
    private readonly Dictionary<string, PreparedEvent<LobbyEvent>> _lobbyPending = [];
    private readonly List<string> _lobbyOrder = [];
    private bool _lobbySignalled;

    public ConnectionOutbox(IClientConnection connection, int capacity, ILogger logger)
    {
        _events = Channel.CreateBounded<object>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _connection = connection;
        _logger = logger;
        _ = SendAllAsync();
    }

    public void Post(TableEvent tableEvent) => Enqueue(tableEvent, tableEvent.RoomId);

    /// <summary>A table event in the form many connections get (a spectator's), encoded once per edge.</summary>
    public void Post(PreparedEvent<TableEvent> tableEvent) => Enqueue(tableEvent, tableEvent.Event.RoomId);

    public void Post(PreparedEvent<LobbyEvent> lobbyEvent)
    {
        var roomId = lobbyEvent.Event.Room.RoomId;
        lock (_lobbyGate)
        {
            if (_lobbyPending.TryGetValue(roomId, out var waiting))
            {
                // Added and not sent yet: still news of an added room, in its latest state (encoded for this connection).
                _lobbyPending[roomId] = waiting.Event.Kind == LobbyEventKinds.RoomAdded && lobbyEvent.Event.Kind == LobbyEventKinds.RoomChanged
                    ? new PreparedEvent<LobbyEvent>(lobbyEvent.Event with { Kind = LobbyEventKinds.RoomAdded })
                    : lobbyEvent;
                return;
            }

            if (_lobbyPending.Count >= MaxPendingLobbyRooms)
            {
                LogTooFarBehind(_logger, _connection.Id, "the lobby");
                _connection.Abort();
                return;
            }

            _lobbyPending[roomId] = lobbyEvent;
            _lobbyOrder.Add(roomId);
            if (_lobbySignalled)
            {
                return;
            }

            _lobbySignalled = true;
        }

        Enqueue(LobbyReady, "the lobby");
    }

    public void Close() => _events.Writer.TryComplete();

    private void Enqueue(object message, string about)
    {
        if (!_events.Writer.TryWrite(message) && _events.Writer.TryComplete())
        {
            LogTooFarBehind(_logger, _connection.Id, about);
            _connection.Abort();
        }
    }

    private async Task SendAllAsync()
    {
        await foreach (var message in _events.Reader.ReadAllAsync())
        {
            if (message is TableEvent tableEvent)
            {
                await SendAsync(_connection.SendEventAsync(tableEvent), tableEvent.RoomId);
                continue;
            }

            if (message is PreparedEvent<TableEvent> shared)
            {
                await SendAsync(_connection.SendEventAsync(shared), shared.Event.RoomId);
                continue;
            }

            List<PreparedEvent<LobbyEvent>> lobbyEvents;
            lock (_lobbyGate)
            {
                lobbyEvents = [.. _lobbyOrder.Select(id => _lobbyPending[id])];
                _lobbyOrder.Clear();
                _lobbyPending.Clear();
                _lobbySignalled = false;
            }

            // Every lobby event waiting, in one write where the transport allows it.
            await SendAsync(_connection.SendLobbyEventsAsync(lobbyEvents), "the lobby");
        }
    }

    private async Task SendAsync(Task send, string about)
    {
        try
        {
            await send;
        }
        catch (Exception ex)
        {
            LogSendFailed(_logger, ex, _connection.Id, about);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection {ConnectionId} fell too far behind on {RoomId} events; closing it")]
    private static partial void LogTooFarBehind(ILogger logger, string connectionId, string roomId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sending a {RoomId} event to connection {ConnectionId} failed")]
    private static partial void LogSendFailed(ILogger logger, Exception exception, string connectionId, string roomId);
}

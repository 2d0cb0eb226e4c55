using CardGame.Contracts.Protocol;
using CardGame.Edge.Application;

namespace CardGame.Edge.Delivery;

/// <summary>
/// The ordered queue of one connection's events (on any transport), sent by its own loop while it has any: a slow
/// client delays only itself, and an idle one holds no queue and no loop. A client that falls <see cref="EdgeOptions.MaxQueuedEventsPerConnection"/> table events behind is
/// disconnected; on reconnect it resyncs with <c>GetTable</c>. Lobby events wait coalesced per room (a room's latest
/// state replaces the one not sent yet), so a burst of room-list changes costs a slow watcher at most one entry per
/// room, up to <see cref="MaxPendingLobbyRooms"/>.
/// </summary>
public sealed partial class ConnectionOutbox : IThreadPoolWorkItem
{
    /// <summary>Rooms with a lobby event not yet sent to this connection, beyond which it is closed as too slow.</summary>
    public const int MaxPendingLobbyRooms = 20_000;

    private static readonly object LobbyReady = new();

    private readonly IClientConnection _connection;
    private readonly int _capacity;
    private readonly ILogger _logger;
    // Guards everything below. An idle connection (most of them) holds no queue and no send loop: the queue and the
    // lobby's waiting room are made when first needed, and the loop runs only while there is something to send.
    private readonly Lock _gate = new();
    private Queue<object>? _queue;
    private Dictionary<string, PreparedEvent<LobbyEvent>>? _lobbyPending;
    private List<string>? _lobbyOrder;
    private bool _lobbySignalled;
    private bool _sending;
    private bool _closed;

    public ConnectionOutbox(IClientConnection connection, int capacity, ILogger logger)
    {
        _connection = connection;
        _capacity = capacity;
        _logger = logger;
    }

    public void Post(TableEvent tableEvent) => Enqueue(tableEvent, tableEvent.RoomId);

    /// <summary>A table event in the form many connections get (a spectator's), encoded once per edge.</summary>
    public void Post(PreparedEvent<TableEvent> tableEvent) => Enqueue(tableEvent, tableEvent.Event.RoomId);

    /// <summary>Changes of the room list, in order: taken under one lock, with at most one wake-up of the send loop.</summary>
    public void Post(IReadOnlyList<PreparedEvent<LobbyEvent>> lobbyEvents)
    {
        lock (_gate)
        {
            _lobbyPending ??= [];
            _lobbyOrder ??= [];
            foreach (var lobbyEvent in lobbyEvents)
            {
                var roomId = lobbyEvent.Event.Room.RoomId;
                if (_lobbyPending.TryGetValue(roomId, out var waiting))
                {
                    // Added and not sent yet: still news of an added room, in its latest state (encoded for this connection).
                    _lobbyPending[roomId] = waiting.Event.Kind == LobbyEventKinds.RoomAdded && lobbyEvent.Event.Kind == LobbyEventKinds.RoomChanged
                        ? new PreparedEvent<LobbyEvent>(lobbyEvent.Event with { Kind = LobbyEventKinds.RoomAdded })
                        : lobbyEvent;
                    continue;
                }

                if (_lobbyPending.Count >= MaxPendingLobbyRooms)
                {
                    LogTooFarBehind(_logger, _connection.Id, "the lobby");
                    _connection.Abort();
                    return;
                }

                _lobbyPending[roomId] = lobbyEvent;
                _lobbyOrder.Add(roomId);
            }

            if (_lobbySignalled || _lobbyOrder.Count == 0)
            {
                return;
            }

            _lobbySignalled = true;
        }

        Enqueue(LobbyReady, "the lobby");
    }

    /// <summary>No more events are taken; those already queued are still sent.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
        }
    }

    private void Enqueue(object message, string about)
    {
        bool tooFarBehind = false, start = false;
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            if (!_sending)
            {
                // Idle: this message goes out first, handed to the send loop directly (no queue is made for it).
                _sending = start = true;
            }
            else if ((_queue ??= new Queue<object>()).Count >= _capacity)
            {
                // What is queued still goes out; nothing more is taken, and the connection is closed.
                _closed = tooFarBehind = true;
            }
            else
            {
                _queue.Enqueue(message);
            }
        }

        if (tooFarBehind)
        {
            LogTooFarBehind(_logger, _connection.Id, about);
            _connection.Abort();
        }
        else if (start)
        {
            _ = SendAllAsync(first: message);
        }
    }

    void IThreadPoolWorkItem.Execute() => _ = SendAllAsync(first: null);

    /// <summary>
    /// Sends in order until the queue is empty, then ends (the next event starts it again). Started by a post (with its
    /// message as <paramref name="first"/>), it sends that message on the poster's thread, as SignalR sends to a group:
    /// the write only hands the bytes to the connection's transport, and a thread-pool hop per connection and event
    /// had cost a wake-up each (most of an event's cost at moderate load). What else is queued then goes from a pool
    /// thread, so a poster serving many connections (the table fan-out, the lobby) never drains one's backlog, and a
    /// send that does not complete at once (a slow client) continues on its own.
    /// </summary>
    private async Task SendAllAsync(object? first)
    {
        var onPoster = first is not null;
        while (true)
        {
            var message = first;
            first = null;
            if (message is null)
            {
                lock (_gate)
                {
                    if (_queue is null || !_queue.TryDequeue(out message))
                    {
                        // Idle again: let the queue's buffer go with it.
                        _queue = null;
                        _sending = false;
                        return;
                    }
                }
            }

            var about = message switch
            {
                TableEvent tableEvent => tableEvent.RoomId,
                PreparedEvent<TableEvent> shared => shared.Event.RoomId,
                _ => "the lobby",
            };
            try
            {
                var sending = message switch
                {
                    TableEvent tableEvent => _connection.SendEventAsync(tableEvent),
                    PreparedEvent<TableEvent> shared => _connection.SendEventAsync(shared),
                    _ => SendLobbyEventsAsync(),
                };
                onPoster &= sending.IsCompleted;
                await sending;
            }
            catch (Exception ex)
            {
                LogSendFailed(_logger, ex, _connection.Id, about);
            }

            if (onPoster)
            {
                lock (_gate)
                {
                    if (_queue is null || _queue.Count == 0)
                    {
                        _queue = null;
                        _sending = false;
                        return;
                    }
                }

                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
                return;
            }
        }
    }

    /// <summary>Every lobby event waiting, in one write where the transport allows it.</summary>
    private Task SendLobbyEventsAsync()
    {
        List<PreparedEvent<LobbyEvent>> lobbyEvents;
        lock (_gate)
        {
            lobbyEvents = [.. _lobbyOrder!.Select(id => _lobbyPending![id])];
            _lobbyOrder = null;
            _lobbyPending = null;
            _lobbySignalled = false;
        }

        return _connection.SendLobbyEventsAsync(lobbyEvents);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection {ConnectionId} fell too far behind on {RoomId} events; closing it")]
    private static partial void LogTooFarBehind(ILogger logger, string connectionId, string roomId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sending a {RoomId} event to connection {ConnectionId} failed")]
    private static partial void LogSendFailed(ILogger logger, Exception exception, string connectionId, string roomId);
}

using System.Threading.Channels;
using CardGame.Contracts.Protocol;
using CardGame.Edge.Hub;
using Microsoft.AspNetCore.SignalR;

namespace CardGame.Edge.Delivery;

/// <summary>
/// The ordered queue of one connection's events, sent by its own loop: a slow client delays only itself. A client
/// that falls <see cref="EdgeOptions.MaxQueuedEventsPerConnection"/> events behind is disconnected; on reconnect it
/// resyncs with <c>GetTable</c>.
/// </summary>
public sealed partial class ConnectionOutbox
{
    private readonly Channel<TableEvent> _events;
    private readonly string _connectionId;
    private readonly HubCallerContext _context;
    private readonly IHubContext<GameHub, IGameClient> _hub;
    private readonly ILogger _logger;

    public ConnectionOutbox(HubCallerContext context, IHubContext<GameHub, IGameClient> hub, int capacity, ILogger logger)
    {
        _events = Channel.CreateBounded<TableEvent>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _connectionId = context.ConnectionId;
        _context = context;
        _hub = hub;
        _logger = logger;
        _ = SendAllAsync();
    }

    public void Post(TableEvent tableEvent)
    {
        if (!_events.Writer.TryWrite(tableEvent) && _events.Writer.TryComplete())
        {
            LogTooFarBehind(_logger, _connectionId, tableEvent.RoomId);
            _context.Abort();
        }
    }

    public void Close() => _events.Writer.TryComplete();

    private async Task SendAllAsync()
    {
        await foreach (var tableEvent in _events.Reader.ReadAllAsync())
        {
            try
            {
                await _hub.Clients.Client(_connectionId).TableEvent(tableEvent);
            }
            catch (Exception ex)
            {
                LogSendFailed(_logger, ex, _connectionId, tableEvent.RoomId);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection {ConnectionId} fell too far behind on room {RoomId} events; closing it")]
    private static partial void LogTooFarBehind(ILogger logger, string connectionId, string roomId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sending a room {RoomId} event to connection {ConnectionId} failed")]
    private static partial void LogSendFailed(ILogger logger, Exception exception, string connectionId, string roomId);
}

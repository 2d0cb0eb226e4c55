using System.Threading.Channels;
using CardGame.Contracts.Protocol;
using CardGame.Edge.Application;

namespace CardGame.Edge.Delivery;

/// <summary>
/// The ordered queue of one connection's events (on any transport), sent by its own loop: a slow client delays only itself. A client
/// that falls <see cref="EdgeOptions.MaxQueuedEventsPerConnection"/> events behind is disconnected; on reconnect it
/// resyncs with <c>GetTable</c>.
/// </summary>
public sealed partial class ConnectionOutbox
{
    private readonly Channel<TableEvent> _events;
    private readonly IClientConnection _connection;
    private readonly ILogger _logger;

    public ConnectionOutbox(IClientConnection connection, int capacity, ILogger logger)
    {
        _events = Channel.CreateBounded<TableEvent>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _connection = connection;
        _logger = logger;
        _ = SendAllAsync();
    }

    public void Post(TableEvent tableEvent)
    {
        if (!_events.Writer.TryWrite(tableEvent) && _events.Writer.TryComplete())
        {
            LogTooFarBehind(_logger, _connection.Id, tableEvent.RoomId);
            _connection.Abort();
        }
    }

    public void Close() => _events.Writer.TryComplete();

    private async Task SendAllAsync()
    {
        await foreach (var tableEvent in _events.Reader.ReadAllAsync())
        {
            try
            {
                await _connection.SendEventAsync(tableEvent);
            }
            catch (Exception ex)
            {
                LogSendFailed(_logger, ex, _connection.Id, tableEvent.RoomId);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection {ConnectionId} fell too far behind on room {RoomId} events; closing it")]
    private static partial void LogTooFarBehind(ILogger logger, string connectionId, string roomId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sending a room {RoomId} event to connection {ConnectionId} failed")]
    private static partial void LogSendFailed(ILogger logger, Exception exception, string connectionId, string roomId);
}

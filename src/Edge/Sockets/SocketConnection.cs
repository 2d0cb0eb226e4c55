using System.Buffers;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using CardGame.Contracts.Protocol;
using CardGame.Edge.Application;
using CardGame.Edge.Delivery;

namespace CardGame.Edge.Sockets;

/// <summary>
/// One <c>/ws</c> connection as the application sees it: frames out (replies, errors, events) are written one at a
/// time, in the order they are sent.
/// </summary>
public sealed class SocketConnection(WebSocket socket, IPAddress? remoteAddress) : IClientConnection
{
    private readonly SemaphoreSlim _sending = new(1, 1);

    public string Id { get; } = "ws-" + Guid.NewGuid().ToString("N");

    public IPAddress? RemoteAddress { get; } = remoteAddress;

    public Task SendEventAsync(TableEvent tableEvent) => SendAsync(writer => WriteEvent(writer, tableEvent));

    /// <summary>The same frame as <see cref="SendEventAsync(TableEvent)"/>, encoded once per edge.</summary>
    public async Task SendEventAsync(PreparedEvent<TableEvent> tableEvent)
    {
        var frame = tableEvent.Encoded(FrameFormat, EncodeEventFrame);
        await _sending.WaitAsync();
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The connection is going: its receive loop ends it.
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>One frame per event (a frame is one message), each encoded once per edge.</summary>
    public async Task SendLobbyEventsAsync(IReadOnlyList<PreparedEvent<LobbyEvent>> lobbyEvents)
    {
        await _sending.WaitAsync();
        try
        {
            foreach (var lobbyEvent in lobbyEvents)
            {
                if (socket.State != WebSocketState.Open)
                {
                    return;
                }

                await socket.SendAsync(lobbyEvent.Encoded(FrameFormat, EncodeLobbyFrame), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The connection is going: its receive loop ends it.
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>Sends the reason as an error frame, then closes with status 1008 (policy violation) and the code.</summary>
    public async Task<bool> CloseAsync(GameError reason)
    {
        if (socket.State != WebSocketState.Open)
        {
            return false;
        }

        await SendErrorAsync(null, reason);
        await _sending.WaitAsync();
        try
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, reason.Code, CancellationToken.None);
            return true;
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            return false;
        }
        finally
        {
            _sending.Release();
        }
    }

    public void Abort() => socket.Abort();

    /// <summary>Closes with <paramref name="status"/> and a short <paramref name="description"/> (at most 123 bytes).</summary>
    public async Task CloseAsync(WebSocketCloseStatus status, string description)
    {
        await _sending.WaitAsync();
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(status, description, CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary><c>{"msg": NAME, "id": ID, "result": R}</c>; a reply to <c>room_list</c> also carries <c>rooms</c>.</summary>
    public Task SendReplyAsync(string msg, JsonElement? id, object? result) => SendAsync(writer =>
    {
        writer.WriteString("msg", msg);
        WriteId(writer, id);
        writer.WritePropertyName("result");
        JsonSerializer.Serialize(writer, result, result?.GetType() ?? typeof(object), SocketJson.Options);
        if (msg == SocketMessages.RoomList)
        {
            writer.WritePropertyName("rooms");
            JsonSerializer.Serialize(writer, result, result?.GetType() ?? typeof(object), SocketJson.Options);
        }
    });

    /// <summary><c>{"msg": "room_list", "rooms": [...]}</c>, sent unasked after a successful <c>auth</c>.</summary>
    public Task SendRoomListAsync(IReadOnlyList<RoomInfo> rooms) => SendAsync(writer =>
    {
        writer.WriteString("msg", SocketMessages.RoomList);
        writer.WritePropertyName("rooms");
        JsonSerializer.Serialize(writer, rooms, SocketJson.Options);
    });

    /// <summary><c>{"msg": "error", "id": ID, "code": CODE, "text": TEXT}</c>.</summary>
    public Task SendErrorAsync(JsonElement? id, GameError error) => SendAsync(writer =>
    {
        writer.WriteString("msg", SocketMessages.Error);
        WriteId(writer, id);
        writer.WriteString("code", error.Code);
        writer.WriteString("text", error.Text);
    });

    private static void WriteId(Utf8JsonWriter writer, JsonElement? id)
    {
        if (id is { } value)
        {
            writer.WritePropertyName("id");
            value.WriteTo(writer);
        }
    }

    /// <summary>This transport's name for its encoding of a prepared event (one text frame).</summary>
    private const string FrameFormat = "ws";

    private static void WriteEvent(Utf8JsonWriter writer, TableEvent tableEvent)
    {
        writer.WriteString("msg", "event");
        writer.WritePropertyName("event");
        JsonSerializer.Serialize(writer, tableEvent, SocketJson.Options);
    }

    private static ReadOnlyMemory<byte> EncodeEventFrame(TableEvent tableEvent) => Frame(writer => WriteEvent(writer, tableEvent)).WrittenMemory;

    private static ReadOnlyMemory<byte> EncodeLobbyFrame(LobbyEvent lobbyEvent) => Frame(writer =>
    {
        writer.WriteString("msg", SocketMessages.Lobby);
        writer.WritePropertyName("event");
        JsonSerializer.Serialize(writer, lobbyEvent, SocketJson.Options);
    }).WrittenMemory;

    private static ArrayBufferWriter<byte> Frame(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using var writer = new Utf8JsonWriter(buffer);
        writer.WriteStartObject();
        write(writer);
        writer.WriteEndObject();
        writer.Flush();
        return buffer;
    }

    private async Task SendAsync(Action<Utf8JsonWriter> write)
    {
        var buffer = Frame(write);
        await _sending.WaitAsync();
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                await socket.SendAsync(buffer.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The connection is going: its receive loop ends it.
        }
        finally
        {
            _sending.Release();
        }
    }
}

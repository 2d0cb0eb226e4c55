using System.Buffers;
using System.Net.WebSockets;
using CardGame.Contracts.Protocol;
using CardGame.Edge.Application;
using CardGame.Edge.Web;

namespace CardGame.Edge.Sockets;

/// <summary>
/// The game protocol over a plain WebSocket at <see cref="Path"/>, for clients without a SignalR library
/// (shared/protocol.md, "Plain WebSocket endpoint"): one JSON object per text frame, <c>{"msg": NAME, "id": ID,
/// ...arguments}</c>. Each request goes through <see cref="RequestRunner"/> to <see cref="GameApplication"/>, as a
/// hub invocation does; its result comes back as <c>{"msg": NAME, "id": ID, "result": R}</c>, its failure as
/// <c>{"msg": "error", ...}</c>. Requests of one connection are handled one at a time, in order (as SignalR
/// handles a connection's invocations). A binary frame or one over 32 KiB closes the connection.
/// </summary>
public sealed partial class GameSocket(GameApplication game, RequestRunner runner, OpenSockets open, ILogger<GameSocket> logger)
{
    public const string Path = "/ws";

    /// <summary>The largest frame, as for the hub; a larger one closes the connection (status 1009).</summary>
    public const int MaximumMessageBytes = 32 * 1024;

    private const int ReceiveBufferBytes = 4096;

    /// <summary>Serves one WebSocket request until the connection closes.</summary>
    public async Task RunAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        LongLivedRequest.ForgetHeadersAndQuery(context);
        var connection = new SocketConnection(socket, context.Connection.RemoteIpAddress);
        var session = new ClientSession(connection);
        open.Add(connection);
        try
        {
            await game.ConnectedAsync(session, token: null);
            await ReceiveAllAsync(socket, connection, session);
        }
        finally
        {
            open.Remove(connection);
            game.Disconnected(session);
        }
    }

    private async Task ReceiveAllAsync(WebSocket socket, SocketConnection connection, ClientSession session)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ReceiveBufferBytes);
        ArrayBufferWriter<byte>? fragments = null;
        try
        {
            while (socket.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                ValueWebSocketReceiveResult received;
                try
                {
                    received = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
                }
                catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
                {
                    return;
                }

                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await connection.CloseAsync(WebSocketCloseStatus.NormalClosure, "");
                    return;
                }

                if (socket.State != WebSocketState.Open)
                {
                    // The server is closing the connection: what the client still sends is not read.
                    continue;
                }

                if (received.MessageType == WebSocketMessageType.Binary)
                {
                    LogClosed(logger, connection.Id, "a binary frame");
                    await connection.CloseAsync(WebSocketCloseStatus.InvalidMessageType, "text frames only");
                    return;
                }

                var length = (fragments?.WrittenCount ?? 0) + received.Count;
                if (length > MaximumMessageBytes)
                {
                    LogClosed(logger, connection.Id, "a frame over 32 KiB");
                    await connection.CloseAsync(WebSocketCloseStatus.MessageTooBig, "a frame is at most 32 KiB");
                    return;
                }

                if (!received.EndOfMessage || fragments is not null)
                {
                    fragments ??= new ArrayBufferWriter<byte>(ReceiveBufferBytes * 2);
                    fragments.Write(buffer.AsSpan(0, received.Count));
                    if (!received.EndOfMessage)
                    {
                        continue;
                    }
                }

                var frame = fragments?.WrittenMemory ?? buffer.AsMemory(0, received.Count);
                await HandleAsync(connection, session, SocketRequest.Parse(frame));
                fragments = null;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task HandleAsync(SocketConnection connection, ClientSession session, SocketRequest request)
    {
        var method = request.Invalid is not null ? "(malformed)" : SocketMessages.HubMethods.GetValueOrDefault(request.Msg, "(unknown)");
        object? result;
        try
        {
            result = await runner.RunAsync(session, method, () => DispatchAsync(session, request));
        }
        catch (GameException ex)
        {
            await connection.SendErrorAsync(request.Id, ex.Error);
            return;
        }

        await connection.SendReplyAsync(request.Msg, request.Id, result);
        if (request.Msg == SocketMessages.Auth)
        {
            await SendRoomListAsync(connection, session);
        }
    }

    private async ValueTask<object?> DispatchAsync(ClientSession session, SocketRequest request)
    {
        if (request.Invalid is { } invalid)
        {
            throw new GameException(invalid);
        }

        if (session.Player is null && request.Msg != SocketMessages.Auth)
        {
            throw new GameException(GameError.AuthRequired());
        }

        switch (request.Msg)
        {
            case SocketMessages.Auth:
                return await game.AuthenticateAsync(session, request.String("token"));
            case SocketMessages.RoomList:
                return await game.ListRoomsAsync(session);
            case SocketMessages.CreateRoom:
                return await game.CreateRoomAsync(session, new CreateRoomRequest(request.String("name"), request.Int32("seats")));
            case SocketMessages.JoinRoom:
                return await game.JoinRoomAsync(session, request.String("room"));
            case SocketMessages.Start:
                return await game.StartGameAsync(session, request.String("room"));
            case SocketMessages.Take:
                return await game.TakeCardAsync(session, request.String("room"), request.String("moveId"));
            case SocketMessages.Put:
                return await game.PutCardAsync(session, request.String("room"), request.String("card"), request.String("suit"), request.String("moveId"));
            case SocketMessages.Leave:
                await game.LeaveRoomAsync(session, request.String("room"));
                return null;
            case SocketMessages.Table:
                return await game.GetTableAsync(session, request.String("room"));
            case SocketMessages.Resume:
                return await game.ResumeAsync(session, request.String("room"), request.Int64("seq"));
            case SocketMessages.QuickPlay:
                return await game.QuickPlayAsync(session, new QuickPlayRequest(request.Int32("seats")));
            case SocketMessages.Watch:
                return await game.WatchRoomAsync(session, request.String("room"));
            case SocketMessages.Unwatch:
                await game.StopWatchingAsync(session, request.String("room"));
                return null;
            case SocketMessages.WatchLobby:
                return await game.WatchLobbyAsync(session);
            case SocketMessages.UnwatchLobby:
                await game.StopWatchingLobbyAsync(session);
                return null;
            default:
                throw new GameException(GameError.BadRequest($"there is no message '{Quote(request.Msg)}'; see docs/protocol.md"));
        }
    }

    /// <summary>After <c>auth</c> the client gets the room list unasked; if the cluster cannot be reached, it asks later.</summary>
    private async Task SendRoomListAsync(SocketConnection connection, ClientSession session)
    {
        try
        {
            await connection.SendRoomListAsync(await game.ListRoomsAsync(session));
        }
        catch (Exception ex)
        {
            LogRoomListFailed(logger, ex, connection.Id);
        }
    }

    // Echo at most a little of what a client sent.
    private static string Quote(string text) => text.Length <= 24 ? text : text[..24] + "…";

    [LoggerMessage(Level = LogLevel.Information, Message = "Closed /ws connection {ConnectionId}: it sent {What}")]
    private static partial void LogClosed(ILogger logger, string connectionId, string what);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending the room list after auth on /ws connection {ConnectionId} failed")]
    private static partial void LogRoomListFailed(ILogger logger, Exception exception, string connectionId);
}

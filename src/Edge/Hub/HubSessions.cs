using System.Net;
using CardGame.Contracts.Protocol;
using CardGame.Edge.Application;
using CardGame.Edge.Delivery;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace CardGame.Edge.Hub;

/// <summary>
/// The <see cref="ClientSession"/> of each hub connection (hubs are transient), kept by
/// <see cref="GameHubLifetimeManager"/> for as long as the connection is open.
/// </summary>
public sealed class HubSessions(IHubContext<GameHub, IGameClient> hub, GameHubLifetimeManager connections)
{
    /// <summary>The connection's session; <c>unavailable</c> once the connection has closed (nothing reaches it then).</summary>
    public ClientSession Of(HubCallerContext context) =>
        connections.SessionOf(context.ConnectionId, (context, hub, connections),
            static made => new ClientSession(new HubConnection(made.context, made.hub, made.connections)))
        ?? throw new GameException(GameError.Unavailable("this connection has closed"));

    /// <summary>Bytes of lobby events written to a connection at once, at most (one event larger than this goes alone).</summary>
    private const int MaxLobbyWrite = 64 * 1024;

    private static SerializedHubMessage Joined(string protocolName, List<ReadOnlyMemory<byte>> messages, int size)
    {
        if (messages.Count == 1)
        {
            return new SerializedHubMessage([new SerializedMessage(protocolName, messages[0])]);
        }

        var joined = new byte[size];
        var at = 0;
        foreach (var message in messages)
        {
            message.Span.CopyTo(joined.AsSpan(at));
            at += message.Length;
        }

        return new SerializedHubMessage([new SerializedMessage(protocolName, joined)]);
    }

    /// <summary>A hub connection as the application sees it.</summary>
    private sealed class HubConnection(HubCallerContext context, IHubContext<GameHub, IGameClient> hub, GameHubLifetimeManager connections) : IClientConnection
    {
        public string Id => context.ConnectionId;

        public IPAddress? RemoteAddress => context.GetHttpContext()?.Connection.RemoteIpAddress;

        public Task SendEventAsync(TableEvent tableEvent) => hub.Clients.Client(context.ConnectionId).TableEvent(tableEvent);

        /// <summary>
        /// The event's message, encoded once per edge and hub protocol, written as it is: the same instance to every
        /// connection that gets this form of the event, as SignalR writes one message to a group.
        /// </summary>
        public Task SendEventAsync(PreparedEvent<TableEvent> tableEvent)
        {
            if (connections.Find(context.ConnectionId) is not { } connection)
            {
                return Task.CompletedTask;
            }

            var message = tableEvent.Encoded(connection.Protocol.Name, connection.Protocol, static (e, protocol) =>
                new SerializedHubMessage([new SerializedMessage(protocol.Name, protocol.GetMessageBytes(new InvocationMessage(nameof(IGameClient.TableEvent), [e])))]));
            return connection.WriteAsync(message).AsTask();
        }

        /// <summary>
        /// The events' bytes (each encoded once per edge and hub protocol) written back to back as one message of the
        /// transport, up to <see cref="MaxLobbyWrite"/> bytes each: the hub protocol frames every message on its own (the
        /// JSON protocol ends each with a record separator), so a client reads them as separate <c>LobbyEvent</c>s.
        /// </summary>
        public async Task SendLobbyEventsAsync(IReadOnlyList<PreparedEvent<LobbyEvent>> lobbyEvents)
        {
            if (connections.Find(context.ConnectionId) is not { } connection)
            {
                return;
            }

            var protocol = connection.Protocol;
            var pending = new List<ReadOnlyMemory<byte>>();
            var size = 0;
            foreach (var lobbyEvent in lobbyEvents)
            {
                var bytes = lobbyEvent.Encoded(protocol.Name, protocol, static (e, protocol) => protocol.GetMessageBytes(new InvocationMessage(nameof(IGameClient.LobbyEvent), [e])));
                if (size > 0 && size + bytes.Length > MaxLobbyWrite)
                {
                    await connection.WriteAsync(Joined(protocol.Name, pending, size));
                    pending.Clear();
                    size = 0;
                }

                pending.Add(bytes);
                size += bytes.Length;
            }

            if (size > 0)
            {
                await connection.WriteAsync(Joined(protocol.Name, pending, size));
            }
        }

        public Task<bool> CloseAsync(GameError reason) => connections.CloseAsync(context.ConnectionId, reason);

        public void Abort() => context.Abort();
    }
}

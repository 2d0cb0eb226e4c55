using System.Net;
using CardGame.Contracts.Protocol;
using CardGame.Edge.Application;
using Microsoft.AspNetCore.SignalR;

namespace CardGame.Edge.Hub;

/// <summary>The <see cref="ClientSession"/> of each hub connection, kept in <see cref="HubCallerContext.Items"/> (hubs are transient).</summary>
public sealed class HubSessions(IHubContext<GameHub, IGameClient> hub, GameHubLifetimeManager connections)
{
    private static readonly object Key = new();

    public ClientSession Of(HubCallerContext context)
    {
        if (!context.Items.TryGetValue(Key, out var session))
        {
            context.Items[Key] = session = new ClientSession(new HubConnection(context, hub, connections));
        }

        return (ClientSession)session!;
    }

    /// <summary>A hub connection as the application sees it.</summary>
    private sealed class HubConnection(HubCallerContext context, IHubContext<GameHub, IGameClient> hub, GameHubLifetimeManager connections) : IClientConnection
    {
        public string Id => context.ConnectionId;

        public IPAddress? RemoteAddress => context.GetHttpContext()?.Connection.RemoteIpAddress;

        public Task SendEventAsync(TableEvent tableEvent) => hub.Clients.Client(context.ConnectionId).TableEvent(tableEvent);

        public Task SendLobbyEventAsync(LobbyEvent lobbyEvent) => hub.Clients.Client(context.ConnectionId).LobbyEvent(lobbyEvent);

        public Task<bool> CloseAsync(GameError reason) => connections.CloseAsync(context.ConnectionId, reason);

        public void Abort() => context.Abort();
    }
}

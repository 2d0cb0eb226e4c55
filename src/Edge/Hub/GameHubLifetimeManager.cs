using System.Collections.Concurrent;
using CardGame.Contracts.Protocol;
using CardGame.Edge.Application;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace CardGame.Edge.Hub;

/// <summary>
/// SignalR's default lifetime manager, plus closing one connection with a reason. A hub can only
/// <see cref="HubCallerContext.Abort"/>, which closes without one; clients then cannot tell why. Here the connection
/// first gets a close message carrying the error (the .NET client's <c>Closed</c> handler and the JavaScript client's
/// <c>onclose</c> receive it as an error containing the text), then it is aborted. Each open connection's
/// <see cref="ClientSession"/> is kept here too, from before the hub's <c>OnConnectedAsync</c> to after its
/// <c>OnDisconnectedAsync</c> (SignalR calls this manager around both, even when the hub's connect fails).
/// </summary>
public sealed class GameHubLifetimeManager(ILogger<DefaultHubLifetimeManager<GameHub>> logger) : DefaultHubLifetimeManager<GameHub>(logger)
{
    private readonly ConcurrentDictionary<string, OpenConnection> _connections = new(StringComparer.Ordinal);

    /// <summary>Open connections to the hub on this edge.</summary>
    public int Count => _connections.Count;

    public override Task OnConnectedAsync(HubConnectionContext connection)
    {
        _connections[connection.ConnectionId] = new OpenConnection(connection);
        return base.OnConnectedAsync(connection);
    }

    public override Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        _connections.TryRemove(connection.ConnectionId, out _);
        return base.OnDisconnectedAsync(connection);
    }

    /// <summary>The open hub connection <paramref name="connectionId"/> of this edge, if it is still open.</summary>
    public HubConnectionContext? Find(string connectionId) => _connections.GetValueOrDefault(connectionId)?.Context;

    /// <summary>
    /// The session of the open connection <paramref name="connectionId"/>, made by <paramref name="create"/> (from
    /// <paramref name="state"/>, so a static <paramref name="create"/> costs nothing on the invocations that find it) on
    /// first use; null once the connection has closed. Kept here rather than in the connection's <c>Items</c>, which
    /// SignalR makes on first use as a concurrent dictionary of about 0.45 KiB, for the life of every connection.
    /// </summary>
    public ClientSession? SessionOf<TState>(string connectionId, TState state, Func<TState, ClientSession> create)
    {
        if (!_connections.TryGetValue(connectionId, out var open))
        {
            return null;
        }

        lock (open)
        {
            return open.Session ??= create(state);
        }
    }

    /// <summary>
    /// Sends <paramref name="reason"/> (as <c>code: text</c>) as the reason of a close the client must not retry on its
    /// own, and closes the connection. False when it is already gone.
    /// </summary>
    public async Task<bool> CloseAsync(string connectionId, GameError reason)
    {
        if (Find(connectionId) is not { } connection)
        {
            return false;
        }

        await connection.WriteAsync(new GameCloseMessage(reason));
        connection.Abort();
        return true;
    }

    /// <summary>
    /// Asks every connection to move (<see cref="MoveCloseMessage"/> with <paramref name="reason"/>): SignalR clients
    /// that reconnect automatically do so at once. They close themselves; nothing is aborted here. Returns how many
    /// were asked.
    /// </summary>
    public Task<int> CloseAllAsync(string reason) => TellToMoveAsync(Snapshot(), reason);

    /// <summary>The connections open now.</summary>
    public IReadOnlyList<HubConnectionContext> Snapshot() => [.. _connections.Values.Select(open => open.Context)];

    /// <summary><see cref="CloseAllAsync"/> for <paramref name="all"/> only.</summary>
    public static async Task<int> TellToMoveAsync(IReadOnlyCollection<HubConnectionContext> all, string reason)
    {
        await Task.WhenAll(all.Select(async connection =>
        {
            try
            {
                await connection.WriteAsync(new MoveCloseMessage(reason));
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
            {
                // Already going.
            }
        }));
        return all.Count;
    }

    /// <summary>An open connection and, once the hub first asks, its session.</summary>
    private sealed class OpenConnection(HubConnectionContext context)
    {
        public HubConnectionContext Context { get; } = context;

        public ClientSession? Session { get; set; }
    }
}

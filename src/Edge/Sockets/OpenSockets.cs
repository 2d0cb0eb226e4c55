using System.Collections.Concurrent;

namespace CardGame.Edge.Sockets;

/// <summary>The <c>/ws</c> connections open on this edge, so a drain can tell each to move.</summary>
public sealed class OpenSockets
{
    private readonly ConcurrentDictionary<string, SocketConnection> _open = new();

    public int Count => _open.Count;

    public void Add(SocketConnection connection) => _open[connection.Id] = connection;

    public void Remove(SocketConnection connection) => _open.TryRemove(connection.Id, out _);

    /// <summary>Closes every open connection with status 1001 (going away) and <paramref name="reason"/>; returns how many.</summary>
    public async Task<int> CloseAllAsync(string reason)
    {
        var all = _open.Values.ToList();
        await Task.WhenAll(all.Select(c => c.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.EndpointUnavailable, reason)));
        return all.Count;
    }
}

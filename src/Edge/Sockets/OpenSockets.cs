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
    public Task<int> CloseAllAsync(string reason) => CloseAsync(_open.Values.ToList(), reason);

    /// <summary>The connections open now.</summary>
    public IReadOnlyList<SocketConnection> Snapshot() => [.. _open.Values];

    /// <summary><see cref="CloseAllAsync"/> for <paramref name="all"/> only.</summary>
    public static async Task<int> CloseAsync(IReadOnlyCollection<SocketConnection> all, string reason)
    {
        await Task.WhenAll(all.Select(c => c.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.EndpointUnavailable, reason)));
        return all.Count;
    }
}

namespace CardGame.Edge.Delivery;

/// <summary>
/// Which local connections belong to which player: nothing about where anyone sits (the tables say that,
/// <see cref="TableSeats"/>). A player is forgotten when their last local connection closes. Thread-safe.
/// </summary>
public sealed class LocalPlayers
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LocalConnection> _connections = [];
    // Each player's connections as an array replaced on every change (rare), so the fan-out reads it without a copy.
    private readonly Dictionary<string, LocalConnection[]> _players = [];

    /// <summary>Live connections on this edge.</summary>
    public int TotalConnections
    {
        get
        {
            lock (_gate)
            {
                return _connections.Count;
            }
        }
    }

    /// <summary>A player (the argument) got their first local connection or lost their last one.</summary>
    public event Action<string>? PresenceChanged;

    /// <summary>Players with a live connection on this edge.</summary>
    public int PlayerCount
    {
        get
        {
            lock (_gate)
            {
                return _players.Count;
            }
        }
    }

    /// <summary>
    /// Adds a connection unless its player already has <paramref name="maxPerPlayer"/> here; returns the player's local
    /// connection count after it, or 0 when it was not added.
    /// </summary>
    public int TryAdd(LocalConnection connection, int maxPerPlayer)
    {
        int count;
        lock (_gate)
        {
            var connections = _players.GetValueOrDefault(connection.PlayerId) ?? [];
            if (connections.Length >= maxPerPlayer)
            {
                return 0;
            }

            _connections.Add(connection.ConnectionId, connection);
            _players[connection.PlayerId] = [.. connections, connection];
            count = connections.Length + 1;
        }

        if (count == 1)
        {
            PresenceChanged?.Invoke(connection.PlayerId);
        }

        return count;
    }

    /// <summary>Removes a connection; returns it and its player's remaining local connection count.</summary>
    public (LocalConnection? Connection, int Remaining) Remove(string connectionId)
    {
        LocalConnection? connection;
        int remaining;
        lock (_gate)
        {
            if (!_connections.Remove(connectionId, out connection))
            {
                return (null, 0);
            }

            var left = Array.FindAll(_players[connection.PlayerId], c => c != connection);
            remaining = left.Length;
            if (remaining == 0)
            {
                _players.Remove(connection.PlayerId);
            }
            else
            {
                _players[connection.PlayerId] = left;
            }
        }

        if (remaining == 0)
        {
            PresenceChanged?.Invoke(connection.PlayerId);
        }

        return (connection, remaining);
    }

    /// <summary>The authenticated connection with this id, or null.</summary>
    public LocalConnection? Connection(string connectionId)
    {
        lock (_gate)
        {
            return _connections.GetValueOrDefault(connectionId);
        }
    }

    /// <summary>The player's local connections as of now (a snapshot: later changes do not show in it).</summary>
    public IReadOnlyList<LocalConnection> ConnectionsOf(string playerId)
    {
        lock (_gate)
        {
            return _players.GetValueOrDefault(playerId) ?? [];
        }
    }

    public int ConnectionCount(string playerId)
    {
        lock (_gate)
        {
            return _players.GetValueOrDefault(playerId)?.Length ?? 0;
        }
    }

    public IReadOnlyList<string> PlayerIds()
    {
        lock (_gate)
        {
            return [.. _players.Keys];
        }
    }
}

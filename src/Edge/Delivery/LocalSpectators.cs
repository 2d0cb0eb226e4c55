namespace CardGame.Edge.Delivery;

/// <summary>
/// Which local connections watch which rooms (at most <see cref="MaxRoomsPerConnection"/> each). The table counts
/// spectators per edge (<see cref="TableSubscriptions"/> reports <see cref="Count"/> when it subscribes), and this edge
/// hands each event's public form to its watching connections: the cluster's cost is per edge, not per spectator.
/// Thread-safe.
/// </summary>
public sealed class LocalSpectators
{
    /// <summary>The contract's cap on rooms one connection watches at once.</summary>
    public const int MaxRoomsPerConnection = 4;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<LocalConnection>> _byRoom = [];
    private readonly Dictionary<string, HashSet<string>> _byConnection = [];

    public enum WatchOutcome
    {
        Added,
        AlreadyWatching,
        LimitReached,
    }

    /// <summary>Connections watching rooms on this edge, and the rooms they watch.</summary>
    public (int Connections, int Rooms) Counts()
    {
        lock (_gate)
        {
            return (_byConnection.Count, _byRoom.Count);
        }
    }

    public WatchOutcome Watch(LocalConnection connection, string roomId)
    {
        lock (_gate)
        {
            if (!_byConnection.TryGetValue(connection.ConnectionId, out var rooms))
            {
                _byConnection[connection.ConnectionId] = rooms = [];
            }

            if (rooms.Contains(roomId))
            {
                return WatchOutcome.AlreadyWatching;
            }

            if (rooms.Count >= MaxRoomsPerConnection)
            {
                return WatchOutcome.LimitReached;
            }

            rooms.Add(roomId);
            if (!_byRoom.TryGetValue(roomId, out var watchers))
            {
                _byRoom[roomId] = watchers = [];
            }

            watchers.Add(connection);
            return WatchOutcome.Added;
        }
    }

    /// <summary>Stops one connection watching one room; false if it was not.</summary>
    public bool Unwatch(string connectionId, string roomId)
    {
        lock (_gate)
        {
            if (!_byConnection.TryGetValue(connectionId, out var rooms) || !rooms.Remove(roomId))
            {
                return false;
            }

            if (rooms.Count == 0)
            {
                _byConnection.Remove(connectionId);
            }

            var watchers = _byRoom[roomId];
            watchers.RemoveAll(c => c.ConnectionId == connectionId);
            if (watchers.Count == 0)
            {
                _byRoom.Remove(roomId);
            }

            return true;
        }
    }

    /// <summary>A connection closed: it watches nothing any more. Returns the rooms it watched.</summary>
    public IReadOnlyList<string> RemoveConnection(string connectionId)
    {
        List<string> rooms;
        lock (_gate)
        {
            if (!_byConnection.TryGetValue(connectionId, out var watched))
            {
                return [];
            }

            rooms = [.. watched];
        }

        foreach (var roomId in rooms)
        {
            Unwatch(connectionId, roomId);
        }

        return rooms;
    }

    public IReadOnlyList<LocalConnection> WatchersOf(string roomId)
    {
        lock (_gate)
        {
            return _byRoom.TryGetValue(roomId, out var watchers) ? [.. watchers] : [];
        }
    }

    public int Count(string roomId)
    {
        lock (_gate)
        {
            return _byRoom.TryGetValue(roomId, out var watchers) ? watchers.Count : 0;
        }
    }

    public bool IsWatched(string roomId)
    {
        lock (_gate)
        {
            return _byRoom.ContainsKey(roomId);
        }
    }

    public IReadOnlyList<string> WatchedRooms()
    {
        lock (_gate)
        {
            return [.. _byRoom.Keys];
        }
    }
}

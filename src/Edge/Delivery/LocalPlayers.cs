namespace CardGame.Edge.Delivery;

/// <summary>
/// The only state an edge keeps: which local connections belong to which player, and the room each such player is
/// known to sit at (with the <c>seq</c> that knowledge reflects, so a late event cannot undo newer knowledge).
/// A player is forgotten when their last local connection closes. Thread-safe.
/// </summary>
public sealed class LocalPlayers
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LocalConnection> _connections = [];
    private readonly Dictionary<string, Player> _players = [];
    private readonly Dictionary<string, int> _seatedPerRoom = [];
    private readonly SemaphoreSlim _seatsChanged = new(0, 1);

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

    /// <summary>Players with a live connection on this edge, and how many of them are seated at a table.</summary>
    public (int Players, int Seated) PlayerCounts()
    {
        lock (_gate)
        {
            return (_players.Count, _seatedPerRoom.Values.Sum());
        }
    }

    /// <summary>
    /// Adds a connection unless its player already has <paramref name="maxPerPlayer"/> here; returns the player's local
    /// connection count after it, or 0 when it was not added.
    /// </summary>
    public int TryAdd(LocalConnection connection, int maxPerPlayer)
    {
        lock (_gate)
        {
            if (_players.TryGetValue(connection.PlayerId, out var player) && player.Connections.Count >= maxPerPlayer)
            {
                return 0;
            }

            _connections.Add(connection.ConnectionId, connection);
            if (player is null)
            {
                _players[connection.PlayerId] = player = new Player();
            }

            player.Connections.Add(connection);
            return player.Connections.Count;
        }
    }

    /// <summary>Removes a connection; returns it and its player's remaining local connection count.</summary>
    public (LocalConnection? Connection, int Remaining) Remove(string connectionId)
    {
        lock (_gate)
        {
            if (!_connections.Remove(connectionId, out var connection))
            {
                return (null, 0);
            }

            var player = _players[connection.PlayerId];
            player.Connections.Remove(connection);
            if (player.Connections.Count == 0)
            {
                SetRoom(player, null, 0);
                _players.Remove(connection.PlayerId);
            }

            return (connection, player.Connections.Count);
        }
    }

    /// <summary>The authenticated connection with this id, or null.</summary>
    public LocalConnection? Connection(string connectionId)
    {
        lock (_gate)
        {
            return _connections.GetValueOrDefault(connectionId);
        }
    }

    public IReadOnlyList<LocalConnection> ConnectionsOf(string playerId)
    {
        lock (_gate)
        {
            return _players.TryGetValue(playerId, out var player) ? [.. player.Connections] : [];
        }
    }

    public int ConnectionCount(string playerId)
    {
        lock (_gate)
        {
            return _players.TryGetValue(playerId, out var player) ? player.Connections.Count : 0;
        }
    }

    public IReadOnlyList<string> PlayerIds()
    {
        lock (_gate)
        {
            return [.. _players.Keys];
        }
    }

    /// <summary>Whether a local player is known to sit at <paramref name="roomId"/>: its events are wanted here.</summary>
    public bool IsSeatedRoom(string roomId)
    {
        lock (_gate)
        {
            return _seatedPerRoom.ContainsKey(roomId);
        }
    }

    public IReadOnlyList<string> SeatedRooms()
    {
        lock (_gate)
        {
            return [.. _seatedPerRoom.Keys];
        }
    }

    /// <summary>
    /// What the grains just said (a hub call's result): <paramref name="playerId"/> sits at <paramref name="roomId"/>
    /// (and so nowhere else) as of <paramref name="seq"/>.
    /// </summary>
    public void Seated(string playerId, string roomId, long seq)
    {
        lock (_gate)
        {
            if (_players.TryGetValue(playerId, out var player))
            {
                SetRoom(player, roomId, player.RoomId == roomId ? Math.Max(seq, player.Seq) : seq);
            }
        }
    }

    /// <summary>
    /// <paramref name="playerId"/> does not sit at <paramref name="roomId"/> as of <paramref name="seq"/> (a view without
    /// them, or a <c>left</c> event). Ignored when what is known is newer, so a late event cannot unseat a rejoin.
    /// </summary>
    public void NotSeated(string playerId, string roomId, long seq)
    {
        lock (_gate)
        {
            if (_players.TryGetValue(playerId, out var player) && player.RoomId == roomId && seq >= player.Seq)
            {
                SetRoom(player, null, 0);
            }
        }
    }

    /// <summary>A <c>joined</c> event for a local player this edge thought unseated (they joined through another edge).</summary>
    public void JoinedElsewhere(string playerId, string roomId, long seq)
    {
        lock (_gate)
        {
            if (_players.TryGetValue(playerId, out var player) && player.RoomId is null)
            {
                SetRoom(player, roomId, seq);
            }
        }
    }

    /// <summary>The grains say <paramref name="playerId"/> sits nowhere.</summary>
    public void SeatedNowhere(string playerId)
    {
        lock (_gate)
        {
            if (_players.TryGetValue(playerId, out var player))
            {
                SetRoom(player, null, 0);
            }
        }
    }

    /// <summary>Completes when the set of seated rooms changed since the last call, or after <paramref name="timeout"/>.</summary>
    public Task<bool> WaitForSeatChangeAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _seatsChanged.WaitAsync(timeout, cancellationToken);

    private void SetRoom(Player player, string? roomId, long seq)
    {
        var before = player.RoomId;
        player.RoomId = roomId;
        player.Seq = seq;
        if (before == roomId)
        {
            return;
        }

        if (before is not null && --_seatedPerRoom[before] == 0)
        {
            _seatedPerRoom.Remove(before);
        }

        if (roomId is not null)
        {
            _seatedPerRoom[roomId] = _seatedPerRoom.GetValueOrDefault(roomId) + 1;
        }

        if (_seatsChanged.CurrentCount == 0)
        {
            _seatsChanged.Release();
        }
    }

    private sealed class Player
    {
        public List<LocalConnection> Connections { get; } = [];

        public string? RoomId { get; set; }

        public long Seq { get; set; }
    }
}

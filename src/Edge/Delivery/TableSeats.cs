using CardGame.Contracts.Protocol;

namespace CardGame.Edge.Delivery;

/// <summary>
/// Who sits where, as the tables say it: for each table this edge hears from, the seated players of its newest
/// statement (a <c>TableView</c> a grain call returned, or the recipients of a notification the table sent; a higher
/// <c>seq</c> replaces a lower one, so a late event cannot undo newer news). The edge keeps no seating of its own: the
/// table is the one authority, and this is the edge's copy of its last word. A table is needed here while its last
/// word seats a player with a local connection (<see cref="IsSeatedHere"/>); <see cref="TableSubscriptions"/> follows it
/// then and leaves it after. It also notes which tables changed for this edge (their seated players, or a local
/// connection of one of them came or went: <see cref="TakeChangedRooms"/>), so that the subscriptions look at those and
/// not at every table. Thread-safe.
/// </summary>
public sealed class TableSeats
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (long Seq, string[] Seated)> _rooms = [];
    private readonly SemaphoreSlim _changed = new(0, 1);
    private readonly LocalPlayers _players;

    /// <summary>Tables whose seated players, or whose players' local presence, changed since <see cref="TakeChangedRooms"/>.</summary>
    private readonly HashSet<string> _changedRooms = [];

    /// <summary>
    /// For each player a kept word seats, the table whose word last seated them: where a change of their local
    /// presence matters. A player named by two tables' words (a stale one whose <c>left</c> was lost) is found at the
    /// one whose word came last; the other is looked at again at its next refresh.
    /// </summary>
    private readonly Dictionary<string, string> _roomOf = [];

    /// <summary>Room for one table's players with a local connection, reused under <see cref="_gate"/>.</summary>
    private string[] _scratch = new string[8];

    public TableSeats(LocalPlayers players)
    {
        _players = players;
        // A player's first or last local connection changes which tables seat someone here.
        players.PresenceChanged += OnPresenceChanged;
    }

    /// <summary>
    /// The table <paramref name="roomId"/> said, as of <paramref name="seq"/>, that exactly <paramref name="seated"/> sit
    /// at it. Kept when it is news (newer than what is known) about a table known here or seating a local player.
    /// </summary>
    public void Said(string roomId, long seq, IEnumerable<string> seated)
    {
        bool changed;
        lock (_gate)
        {
            var known = _rooms.TryGetValue(roomId, out var before);
            if (known && before.Seq > seq)
            {
                return;
            }

            if (known && Same(before.Seated, seated))
            {
                // Nearly every word (each move's view and event) seats the same players: only its seq is news.
                _rooms[roomId] = (seq, before.Seated);
                return;
            }

            var ids = seated.ToArray();
            if (!known && !AnyLocal(ids))
            {
                return;
            }

            changed = true;
            if (known)
            {
                Unindex(roomId, before.Seated);
            }

            _rooms[roomId] = (seq, ids);
            foreach (var playerId in ids)
            {
                _roomOf[playerId] = roomId;
            }

            _changedRooms.Add(roomId);
        }

        if (changed)
        {
            Signal();
        }
    }

    /// <summary>
    /// <see cref="Said(string, long, IEnumerable{string})"/> for the players of a view (the answer to every move): the
    /// same players as known, nearly always, cost a look at their ids and nothing made; the ids are listed only when
    /// they changed.
    /// </summary>
    public void Said(TableView view)
    {
        var (roomId, seq, players) = (view.RoomId, view.Seq, view.Players);
        lock (_gate)
        {
            if (_rooms.TryGetValue(roomId, out var before) && (before.Seq > seq || SamePlayers(before.Seated, players)))
            {
                if (before.Seq <= seq)
                {
                    _rooms[roomId] = (seq, before.Seated);
                }

                return;
            }
        }

        var ids = new string[players.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = players[i].PlayerId;
        }

        Said(roomId, seq, ids);
    }

    private static bool SamePlayers(string[] known, IReadOnlyList<PlayerView> players)
    {
        if (players.Count != known.Length)
        {
            return false;
        }

        for (var i = 0; i < known.Length; i++)
        {
            if (!string.Equals(known[i], players[i].PlayerId, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether the table's last word seats a player with a local connection: its events are wanted here.</summary>
    public bool IsSeatedHere(string roomId)
    {
        lock (_gate)
        {
            return _rooms.TryGetValue(roomId, out var room) && AnyLocal(room.Seated);
        }
    }

    /// <summary>
    /// The players whom <paramref name="roomId"/>'s last word seats and who have a local connection, in order: what this
    /// edge tells the table about who is connected through it (<see cref="TableSubscriptions"/>).
    /// </summary>
    public string[] PresentAt(string roomId)
    {
        lock (_gate)
        {
            var count = LocalSeated(roomId);
            return count == 0 ? [] : _scratch[..count];
        }
    }

    /// <summary>
    /// Whether <see cref="PresentAt"/> would answer exactly <paramref name="known"/>, without making its array: the edge
    /// asks this of every table it follows twice a second (<see cref="TableSubscriptions"/>), and the answer is nearly
    /// always yes.
    /// </summary>
    public bool IsPresentAt(string roomId, ReadOnlySpan<string> known)
    {
        lock (_gate)
        {
            return _scratch.AsSpan(0, LocalSeated(roomId)).SequenceEqual(known);
        }
    }

    /// <summary>The tables whose last word seats a player with a local connection.</summary>
    public IReadOnlyList<string> SeatedRooms()
    {
        lock (_gate)
        {
            return [.. _rooms.Where(r => AnyLocal(r.Value.Seated)).Select(r => r.Key)];
        }
    }

    /// <summary>
    /// Moves the tables that changed since the last call to <paramref name="rooms"/>: a new word seating other players
    /// (or a table newly kept), or a local connection of a player one seats came first or went last.
    /// </summary>
    public void TakeChangedRooms(ISet<string> rooms)
    {
        lock (_gate)
        {
            rooms.UnionWith(_changedRooms);
            _changedRooms.Clear();
        }
    }

    /// <summary>Players with a local connection whom a table's last word seats.</summary>
    public int SeatedPlayerCount()
    {
        lock (_gate)
        {
            return _rooms.Values.SelectMany(r => r.Seated).Where(IsLocal).Distinct().Count();
        }
    }

    /// <summary>This edge no longer follows <paramref name="roomId"/>: its last word is of no use here any more.</summary>
    public void Forget(string roomId)
    {
        lock (_gate)
        {
            if (_rooms.TryGetValue(roomId, out var room) && !AnyLocal(room.Seated))
            {
                _rooms.Remove(roomId);
                Unindex(roomId, room.Seated);
            }
        }
    }

    /// <summary>Completes when what the tables said (or who is connected here) changed since the last call, or after <paramref name="timeout"/>.</summary>
    public Task<bool> WaitForChangeAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _changed.WaitAsync(timeout, cancellationToken);

    private bool IsLocal(string playerId) => _players.ConnectionCount(playerId) > 0;

    private void OnPresenceChanged(string playerId)
    {
        lock (_gate)
        {
            if (_roomOf.TryGetValue(playerId, out var roomId))
            {
                _changedRooms.Add(roomId);
            }
        }

        Signal();
    }

    /// <summary>Forgets that <paramref name="seated"/> sat at <paramref name="roomId"/> (those whose newest table it was). Under <see cref="_gate"/>.</summary>
    private void Unindex(string roomId, string[] seated)
    {
        foreach (var playerId in seated)
        {
            if (_roomOf.TryGetValue(playerId, out var at) && at == roomId)
            {
                _roomOf.Remove(playerId);
            }
        }
    }

    private bool AnyLocal(string[] seated)
    {
        foreach (var playerId in seated)
        {
            if (IsLocal(playerId))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Puts the players <paramref name="roomId"/>'s last word seats and who have a local connection, in ordinal order,
    /// at the start of <see cref="_scratch"/>, and returns how many. Under <see cref="_gate"/>.
    /// </summary>
    private int LocalSeated(string roomId)
    {
        if (!_rooms.TryGetValue(roomId, out var room))
        {
            return 0;
        }

        if (_scratch.Length < room.Seated.Length)
        {
            _scratch = new string[room.Seated.Length];
        }

        var count = 0;
        foreach (var playerId in room.Seated)
        {
            if (!IsLocal(playerId))
            {
                continue;
            }

            // Insertion sort: a table seats a handful of players.
            var at = count++;
            while (at > 0 && string.CompareOrdinal(_scratch[at - 1], playerId) > 0)
            {
                _scratch[at] = _scratch[at - 1];
                at--;
            }

            _scratch[at] = playerId;
        }

        return count;
    }
    /// <summary>Whether <paramref name="seated"/> names exactly <paramref name="known"/>, in order (without copying it).</summary>
    private static bool Same(string[] known, IEnumerable<string> seated)
    {
        if (seated is IReadOnlyList<string> list)
        {
            if (list.Count != known.Length)
            {
                return false;
            }

            for (var i = 0; i < known.Length; i++)
            {
                if (!string.Equals(known[i], list[i], StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return true;
        }

        var at = 0;
        foreach (var id in seated)
        {
            if (at >= known.Length || !string.Equals(known[at++], id, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return at == known.Length;
    }

    private void Signal()
    {
        lock (_gate)
        {
            if (_changed.CurrentCount == 0)
            {
                _changed.Release();
            }
        }
    }
}

namespace CardGame.Grains;

/// <summary>
/// Who of a table's seated players is connected, as the edges that follow the table say it: each edge lists the
/// players seated here who have a live connection on it, with every refresh of its subscription
/// (<see cref="Contracts.Grains.ITableGrain.Follow"/>). A player is connected while a list that has not lapsed
/// (refreshed within <c>lifetime</c>) names them. A player whom a list named in this activation and none names any more
/// (the edge said so, or stopped refreshing: it is gone) is not. A player no list has named yet (just seated, or the
/// table was reactivated without its lists) keeps what the state says for one lifetime, the time edges have to name
/// them, unless an edge of the previous version follows the table: those list nobody (their player grains report
/// connections instead), so such players are left as the player grains say. Plain code, on the grain's scheduler.
/// </summary>
public sealed class SeatPresence(TimeProvider time, TimeSpan lifetime)
{
    private readonly Dictionary<string, Listing> _lists = [];
    private readonly HashSet<string> _named = [];
    private readonly Dictionary<string, DateTimeOffset> _seatedAt = [];
    private readonly DateTimeOffset _startedAt = time.GetUtcNow();

    /// <summary>
    /// <paramref name="edgeId"/>'s list, replacing its previous one; <paramref name="departed"/> are players it named
    /// before (perhaps to an earlier activation) who no longer have a connection on it.
    /// </summary>
    public void List(string edgeId, IReadOnlyCollection<string> players, IReadOnlyCollection<string> departed)
    {
        // Nearly every refresh repeats the edge's list: it only moves the list's time then, allocating nothing (an idle
        // silo takes thousands of refreshes a second, and their garbage sits in gen2 until a full collection).
        if (_lists.TryGetValue(edgeId, out var listed) && listed.Players.SetEquals(players))
        {
            listed.RefreshedAt = time.GetUtcNow();
        }
        else
        {
            _lists[edgeId] = new Listing([.. players], time.GetUtcNow());
        }

        _named.UnionWith(players);
        _named.UnionWith(departed);
    }

    /// <summary>
    /// <paramref name="edgeId"/> took a batch of the table's events, which renews its subscription: its list, unchanged
    /// (the edge sends a changed one at once), counts as refreshed now, unless it has lapsed already.
    /// </summary>
    public void Renew(string edgeId)
    {
        var now = time.GetUtcNow();
        if (_lists.TryGetValue(edgeId, out var listed) && listed.RefreshedAt + lifetime > now)
        {
            listed.RefreshedAt = now;
        }
    }

    /// <summary>
    /// <paramref name="edgeId"/> has no connection of any player seated here any more; <paramref name="departed"/> are
    /// the players it last named.
    /// </summary>
    public void Unlist(string edgeId, IReadOnlyCollection<string> departed)
    {
        _lists.Remove(edgeId);
        _named.UnionWith(departed);
    }

    /// <summary>The player has just taken a seat (from a live connection): no list names them yet.</summary>
    public void Seated(string playerId)
    {
        _named.Remove(playerId);
        _seatedAt[playerId] = time.GetUtcNow();
    }

    /// <summary>
    /// Whether <paramref name="playerId"/>, seated here, is connected now; null to leave it as it is.
    /// <paramref name="unlistedFollowers"/>: an edge that lists nobody (previous version) follows the table.
    /// </summary>
    public bool? IsConnected(string playerId, bool unlistedFollowers)
    {
        var now = time.GetUtcNow();
        foreach (var listing in _lists.Values)
        {
            if (listing.RefreshedAt + lifetime > now && listing.Players.Contains(playerId))
            {
                return true;
            }
        }

        if (_named.Contains(playerId))
        {
            return false;
        }

        return !unlistedFollowers && now - _seatedAt.GetValueOrDefault(playerId, _startedAt) >= lifetime ? false : null;
    }

    /// <summary>Forgets lapsed lists (their players are no longer named by them) and players no longer seated.</summary>
    public void Prune(IReadOnlyCollection<string> seated)
    {
        var now = time.GetUtcNow();
        // Removing while enumerating a Dictionary is allowed (since .NET Core 3.0): no copy of the keys each time.
        foreach (var (edgeId, listing) in _lists)
        {
            if (listing.RefreshedAt + lifetime <= now)
            {
                _lists.Remove(edgeId);
            }
        }

        _named.IntersectWith(seated);
        foreach (var playerId in _seatedAt.Keys)
        {
            if (!seated.Contains(playerId))
            {
                _seatedAt.Remove(playerId);
            }
        }
    }

    /// <summary>The lists, to carry to the table's next activation (live migration).</summary>
    public ImmutableArray<PresenceList> Export() =>
        [.. _lists.Select(l => new PresenceList(l.Key, [.. l.Value.Players], l.Value.RefreshedAt))];

    /// <summary>Takes over the lists of the table's previous activation.</summary>
    public void Import(IEnumerable<PresenceList> lists)
    {
        foreach (var list in lists)
        {
            _lists[list.EdgeId] = new Listing([.. list.Players], list.RefreshedAt);
            _named.UnionWith(list.Players);
        }
    }

    /// <summary>An edge's list and when it was last refreshed.</summary>
    private sealed class Listing(HashSet<string> players, DateTimeOffset refreshedAt)
    {
        public HashSet<string> Players { get; } = players;

        public DateTimeOffset RefreshedAt { get; set; } = refreshedAt;
    }
}

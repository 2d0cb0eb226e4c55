using CardGame.Contracts.Protocol;

namespace CardGame.Contracts.Grains;

/// <summary>How the room list is split into <see cref="IRoomDirectoryGrain"/> shards and ordered.</summary>
public static class RoomDirectory
{
    /// <summary>The number of directory shards; every silo and edge of a deployment must agree on it.</summary>
    public const int Shards = 16;

    /// <summary>The most rooms <c>ListRooms</c> returns.</summary>
    public const int MaxListed = 100;

    /// <summary>The shard that holds <paramref name="roomId"/>'s entry (a stable hash, the same in every process).</summary>
    public static int ShardOf(string roomId)
    {
        // FNV-1a over the UTF-16 code units: string.GetHashCode is randomized per process.
        var hash = 2166136261u;
        foreach (var c in roomId)
        {
            hash = unchecked((hash ^ c) * 16777619u);
        }

        return (int)(hash % Shards);
    }

    /// <summary>Whether someone can sit down there now: a free seat and no game being played.</summary>
    public static bool HasFreeSeat(RoomInfo room) => room.Phase != Phases.Playing && room.Players < room.Seats;

    /// <summary>
    /// Lobby order: rooms with a free seat first, fullest first (fewest free seats, then most players), then the others
    /// (playing, then full); ties by name and id so the order is stable.
    /// </summary>
    public static int Compare(RoomInfo? a, RoomInfo? b)
    {
        if (ReferenceEquals(a, b))
        {
            return 0;
        }

        if (a is null || b is null)
        {
            return a is null ? -1 : 1;
        }

        var byGroup = Group(a).CompareTo(Group(b));
        if (byGroup != 0)
        {
            return byGroup;
        }

        var byFree = (a.Seats - a.Players).CompareTo(b.Seats - b.Players);
        if (byFree != 0 && HasFreeSeat(a))
        {
            return byFree;
        }

        var byPlayers = b.Players.CompareTo(a.Players);
        if (byPlayers != 0)
        {
            return byPlayers;
        }

        var byName = StringComparer.OrdinalIgnoreCase.Compare(a.Name, b.Name);
        return byName != 0 ? byName : StringComparer.Ordinal.Compare(a.RoomId, b.RoomId);
    }

    private static int Group(RoomInfo room) => HasFreeSeat(room) ? 0 : room.Phase == Phases.Playing ? 1 : 2;
}

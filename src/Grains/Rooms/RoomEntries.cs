using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;

namespace CardGame.Grains;

/// <summary>
/// The rooms of one directory shard, as their tables last announced them. Announcements are one-way calls, which Orleans
/// may deliver in any order (while a shard activated they were seen arriving last first), so each carries its
/// <see cref="RoomEntryVersion"/> and the newest one is kept: an older announcement or one from before the room closed
/// changes nothing. Announcements without a version (tables of version 1, during a rolling upgrade) are taken as they come.
/// Each method returns the lobby event its change makes, or null when nothing a watcher sees changed.
/// </summary>
public sealed class RoomEntries(TimeProvider time)
{
    private readonly Dictionary<string, (RoomInfo Room, DateTimeOffset HeardAt, RoomEntryVersion? Version)> _rooms = [];

    /// <summary>Rooms withdrawn lately, so that an announcement overtaken by the withdrawal cannot list them again.</summary>
    private readonly Dictionary<string, (RoomEntryVersion Version, DateTimeOffset At)> _closed = [];

    public IEnumerable<RoomInfo> Rooms => _rooms.Values.Select(r => r.Room);

    public LobbyEvent? Announce(RoomInfo room, RoomEntryVersion? version)
    {
        if (version is not null && _closed.TryGetValue(room.RoomId, out var closed) && version <= closed.Version)
        {
            return null;
        }

        var known = _rooms.TryGetValue(room.RoomId, out var existing);
        if (known && version is not null && existing.Version is { } newest && version < newest)
        {
            // Overtaken by a newer announcement, which is the room as it is now; the table is still there, though (one
            // that moved to a silo whose clock is behind is not forgotten).
            _rooms[room.RoomId] = existing with { HeardAt = time.GetUtcNow() };
            return null;
        }

        _closed.Remove(room.RoomId);
        _rooms[room.RoomId] = (room, time.GetUtcNow(), version);
        return known && existing.Room == room ? null : new LobbyEvent(known ? LobbyEventKinds.RoomChanged : LobbyEventKinds.RoomAdded, room);
    }

    public LobbyEvent? Withdraw(string roomId, RoomEntryVersion? version)
    {
        if (_rooms.TryGetValue(roomId, out var existing) && version is not null && existing.Version is { } newest && version < newest)
        {
            // Opened again under the same id since: a room nobody joined closes at seq 0, and a new one starts there too.
            return null;
        }

        if (version is not null)
        {
            _closed[roomId] = (version, time.GetUtcNow());
        }

        return _rooms.Remove(roomId) ? new LobbyEvent(LobbyEventKinds.RoomRemoved, existing.Room) : null;
    }

    /// <summary>
    /// Drops the rooms not heard of since <paramref name="silentSince"/> (their tables are gone) and forgets the rooms
    /// withdrawn before it (no announcement that old is still on its way); returns the rooms dropped.
    /// </summary>
    public IReadOnlyList<RoomInfo> Expire(DateTimeOffset silentSince)
    {
        var silent = _rooms.Where(r => r.Value.HeardAt < silentSince).Select(r => r.Value.Room).ToList();
        foreach (var room in silent)
        {
            _rooms.Remove(room.RoomId);
        }

        foreach (var roomId in _closed.Where(r => r.Value.At < silentSince).Select(r => r.Key).ToList())
        {
            _closed.Remove(roomId);
        }

        return silent;
    }
}

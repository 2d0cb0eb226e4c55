using Orleans.CodeGeneration;
using CardGame.Contracts.Protocol;

using Orleans.Concurrency;

namespace CardGame.Contracts.Grains;

/// <summary>
/// One shard of the room list (key: 0 to <see cref="RoomDirectory.Shards"/> − 1, <see cref="RoomDirectory.ShardOf"/>
/// of the room id). Each table is the durable record of its own entry: it announces the entry here when it changes and
/// re-announces it periodically, so a shard keeps its entries in memory only, a change costs one message and one
/// dictionary update whatever the number of rooms, and a shard that restarts fills up again from the announcements.
/// Edges watching the lobby subscribe one observer per edge per shard and receive its changes in batches.
/// Version 2 added <see cref="Announce"/> and <see cref="Withdraw"/>, which carry the entry's version so that a shard
/// keeps the newest entry whatever order the one-way calls arrive in.
/// </summary>
[Alias("cardgame.IRoomDirectoryGrain")]
[Version(2)]
public interface IRoomDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>The room's entry without a version, as tables of version 1 announce it: taken as it comes.</summary>
    [Alias("Update"), OneWay]
    Task Update(RoomInfo room);

    /// <summary>The room closed, as tables of version 1 say it.</summary>
    [Alias("Remove"), OneWay]
    Task Remove(string roomId);

    /// <summary>
    /// The room's current entry (also a periodic refresh when nothing changed). Ignored when the shard has a newer one,
    /// or has heard that the room closed at a later version.
    /// </summary>
    [Alias("Announce"), OneWay]
    Task Announce(RoomInfo room, RoomEntryVersion version);

    /// <summary>The room closed; an announcement of an older version arriving after this is ignored.</summary>
    [Alias("Withdraw"), OneWay]
    Task Withdraw(string roomId, RoomEntryVersion version);

    /// <summary>At most <paramref name="max"/> of this shard's rooms in lobby order (<see cref="RoomDirectory.Compare"/>).</summary>
    [Alias("List")]
    Task<IReadOnlyList<RoomInfo>> List(int max);

    /// <summary>Registers (or refreshes) <paramref name="edgeId"/>'s lobby observer; it expires unless refreshed.</summary>
    [Alias("Subscribe")]
    Task Subscribe(string edgeId, ILobbyObserver observer);

    [Alias("Unsubscribe")]
    Task Unsubscribe(string edgeId);
}

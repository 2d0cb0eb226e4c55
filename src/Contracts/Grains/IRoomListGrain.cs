using Orleans.CodeGeneration;
using CardGame.Contracts.Protocol;

namespace CardGame.Contracts.Grains;

/// <summary>
/// A stateless worker (one or more activations per silo) that serves the room list (at most
/// <see cref="RoomDirectory.MaxListed"/> rooms in lobby order) merged from the <see cref="IRoomDirectoryGrain"/> shards.
/// Key 0.
/// </summary>
[Alias("cardgame.IRoomListGrain")]
[Version(1)]
public interface IRoomListGrain : IGrainWithIntegerKey
{
    /// <summary>From a short-lived cache (<c>Game:RoomListCacheMilliseconds</c>).</summary>
    [Alias("List")]
    Task<IReadOnlyList<RoomInfo>> List();

    /// <summary>Straight from the shards: for a lobby watcher, whose events start where this list ends.</summary>
    [Alias("ListFresh")]
    Task<IReadOnlyList<RoomInfo>> ListFresh();
}

using CardGame.Contracts.Protocol;

namespace CardGame.Contracts.Grains;

/// <summary>
/// A stateless worker (one or more activations per silo) that serves the room list from a short-lived cache of
/// <see cref="IRoomDirectoryGrain.List"/>. Key 0.
/// </summary>
[Alias("cardgame.IRoomListGrain")]
public interface IRoomListGrain : IGrainWithIntegerKey
{
    [Alias("List")]
    Task<IReadOnlyList<RoomInfo>> List();
}

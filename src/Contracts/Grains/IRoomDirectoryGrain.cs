using CardGame.Contracts.Protocol;

using Orleans.Concurrency;

namespace CardGame.Contracts.Grains;

/// <summary>
/// The authoritative room list (a single activation, key 0). Tables keep their entry current with one-way
/// <see cref="Update"/> calls; readers go through <see cref="IRoomListGrain"/>, so listing rooms does not funnel
/// every call through this activation.
/// </summary>
[Alias("cardgame.IRoomDirectoryGrain")]
public interface IRoomDirectoryGrain : IGrainWithIntegerKey
{
    [Alias("Update"), OneWay]
    Task Update(RoomInfo room);

    [Alias("Remove"), OneWay]
    Task Remove(string roomId);

    [Alias("List")]
    Task<IReadOnlyList<RoomInfo>> List();
}

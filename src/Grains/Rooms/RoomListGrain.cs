using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace CardGame.Grains;

/// <summary>
/// Serves the room list from a short-lived per-activation cache, so listing rooms does not funnel every call
/// through the directory's single activation. Activations are local to the calling silo.
/// </summary>
[StatelessWorker]
public sealed class RoomListGrain(IOptions<GameOptions> gameOptions, TimeProvider time) : Grain, IRoomListGrain
{
    private readonly TimeSpan _cacheFor = TimeSpan.FromMilliseconds(gameOptions.Value.RoomListCacheMilliseconds);
    private IReadOnlyList<RoomInfo> _rooms = [];
    private DateTimeOffset _fetchedAt = DateTimeOffset.MinValue;

    public async Task<IReadOnlyList<RoomInfo>> List()
    {
        var now = time.GetUtcNow();
        if (now - _fetchedAt >= _cacheFor)
        {
            _rooms = await GrainFactory.GetGrain<IRoomDirectoryGrain>(0).List();
            _fetchedAt = now;
        }

        return _rooms;
    }
}

using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace CardGame.Grains;

/// <summary>
/// Serves the room list: the first <see cref="RoomDirectory.MaxListed"/> rooms in lobby order, merged from every
/// directory shard's own first ones, from a short-lived per-activation cache. Activations are local to the calling silo.
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
            _rooms = await FetchAsync();
            _fetchedAt = now;
        }

        return _rooms;
    }

    public Task<IReadOnlyList<RoomInfo>> ListFresh() => FetchAsync();

    private async Task<IReadOnlyList<RoomInfo>> FetchAsync()
    {
        var shards = await Task.WhenAll(Enumerable.Range(0, RoomDirectory.Shards)
            .Select(shard => GrainFactory.GetGrain<IRoomDirectoryGrain>(shard).List(RoomDirectory.MaxListed)));
        return [.. shards.SelectMany(s => s).Order(Comparer<RoomInfo>.Create(RoomDirectory.Compare)).Take(RoomDirectory.MaxListed)];
    }
}

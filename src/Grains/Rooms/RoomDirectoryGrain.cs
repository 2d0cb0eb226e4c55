using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;

namespace CardGame.Grains;

/// <summary>
/// One shard of the room list, in memory only: each table is the durable record of its entry and re-announces it every
/// <c>Game:DirectoryRefreshSeconds</c>, so an entry not heard of for three periods (its table is gone) is dropped, and a
/// shard that restarts fills up again within one period; the newest announcement of each room is kept whatever order they
/// arrive in (<see cref="RoomEntries"/>). A change costs one dictionary update, whatever the number of rooms. Changes are
/// coalesced per room and sent to the subscribed edges every <see cref="FlushInterval"/>, at the same moments of the clock
/// in every shard (multiples of the interval), so an edge gets all the shards' batches together and writes them to each
/// watching connection at once instead of once per shard.
/// Immovable: the rebalancer would move a shard without its memory (entries, lobby subscribers); there are few of them.
/// </summary>
[Immovable]
public sealed partial class RoomDirectoryGrain(
    IOptions<GameOptions> gameOptions,
    TimeProvider time,
    ILogger<RoomDirectoryGrain> logger) : Grain, IRoomDirectoryGrain
{
    /// <summary>How often coalesced changes go out to the subscribed edges.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(250);

    private readonly GameOptions _options = gameOptions.Value;
    private readonly RoomEntries _entries = new(time);
    private readonly Dictionary<string, LobbyEvent> _pending = [];
    private readonly Dictionary<string, (ILobbyObserver Observer, DateTimeOffset RefreshedAt)> _edges = [];
    private IReadOnlyList<RoomInfo>? _sorted;
    private DateTimeOffset _nextExpiry;
    private IGrainTimer? _flushTimer;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _nextExpiry = time.GetUtcNow() + _options.DirectoryRefresh;
        _flushTimer = this.RegisterGrainTimer(FlushAsync, new GrainTimerCreationOptions(UntilNextFlush(), Timeout.InfiniteTimeSpan));
        return Task.CompletedTask;
    }

    /// <summary>
    /// The time from <paramref name="now"/> to the next multiple of <see cref="FlushInterval"/> on the clock (the same
    /// moment for every shard); the one after when that moment is less than a millisecond away.
    /// </summary>
    public static TimeSpan UntilNextFlush(DateTimeOffset now)
    {
        var until = FlushInterval - TimeSpan.FromTicks(now.UtcTicks % FlushInterval.Ticks);
        return until < TimeSpan.FromMilliseconds(1) ? until + FlushInterval : until;
    }

    private TimeSpan UntilNextFlush() => UntilNextFlush(time.GetUtcNow());

    public Task Announce(RoomInfo room, RoomEntryVersion version) => Changed(_entries.Announce(room, version));

    public Task Withdraw(string roomId, RoomEntryVersion version) => Changed(_entries.Withdraw(roomId, version));

    public Task Update(RoomInfo room) => Changed(_entries.Announce(room, version: null));

    public Task Remove(string roomId) => Changed(_entries.Withdraw(roomId, version: null));

    public Task<IReadOnlyList<RoomInfo>> List(int max)
    {
        _sorted ??= [.. _entries.Rooms.Order(Comparer<RoomInfo>.Create(RoomDirectory.Compare))];
        return Task.FromResult<IReadOnlyList<RoomInfo>>(_sorted.Count <= max ? _sorted : [.. _sorted.Take(max)]);
    }

    public Task Subscribe(string edgeId, ILobbyObserver observer)
    {
        _edges[edgeId] = (observer, time.GetUtcNow());
        return Task.CompletedTask;
    }

    public Task Unsubscribe(string edgeId)
    {
        _edges.Remove(edgeId);
        return Task.CompletedTask;
    }

    private Task Changed(LobbyEvent? change)
    {
        if (change is not null)
        {
            Changed(change.Kind, change.Room);
        }

        return Task.CompletedTask;
    }

    private void Changed(string kind, RoomInfo room)
    {
        _sorted = null;
        // Coalesced per room: a watcher gets the latest state; a room it never saw arrives as added.
        var coalesced = _pending.TryGetValue(room.RoomId, out var before) && before.Kind == LobbyEventKinds.RoomAdded && kind != LobbyEventKinds.RoomRemoved
            ? LobbyEventKinds.RoomAdded
            : kind;
        _pending[room.RoomId] = new LobbyEvent(coalesced, room);
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await FlushPendingAsync(cancellationToken);
        }
        finally
        {
            // Set again from the clock each time, so the shards stay on the same moments whatever their flushes take.
            _flushTimer?.Change(UntilNextFlush(), Timeout.InfiniteTimeSpan);
        }
    }

    private async Task FlushPendingAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (now >= _nextExpiry)
        {
            _nextExpiry = now + _options.DirectoryRefresh;
            ExpireSilentRooms(now);
        }

        if (_pending.Count == 0)
        {
            return;
        }

        IReadOnlyList<LobbyEvent> batch = [.. _pending.Values];
        _pending.Clear();
        var expiredBefore = now - _options.SubscriptionLifetime;
        foreach (var stale in _edges.Where(e => e.Value.RefreshedAt < expiredBefore).Select(e => e.Key).ToList())
        {
            _edges.Remove(stale);
        }

        // In parallel and bounded: a slow or dead edge delays only itself (it resyncs with ListRooms when it resubscribes).
        await Task.WhenAll(_edges.Select(async edge =>
        {
            try
            {
                await edge.Value.Observer.OnLobbyEvents(batch).WaitAsync(_options.DeliveryTimeout, cancellationToken);
            }
            catch (Exception ex)
            {
                LogDeliveryFailed(logger, ex, this.GetPrimaryKeyLong(), edge.Key);
                if (_edges.TryGetValue(edge.Key, out var current) && current.Observer == edge.Value.Observer)
                {
                    _edges.Remove(edge.Key);
                }
            }
        }));
    }

    /// <summary>
    /// Drops entries whose table has not re-announced them for three refresh periods (the table is gone), and forgets
    /// the rooms withdrawn before that.
    /// </summary>
    private void ExpireSilentRooms(DateTimeOffset now)
    {
        foreach (var room in _entries.Expire(now - (3 * _options.DirectoryRefresh)))
        {
            Changed(LobbyEventKinds.RoomRemoved, room);
            LogExpired(logger, room.RoomId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Directory shard {Shard}: delivering lobby events to edge {EdgeId} failed; dropped its subscription")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, long shard, string edgeId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Room {RoomId} left the room list: its table stopped announcing it")]
    private static partial void LogExpired(ILogger logger, string roomId);
}

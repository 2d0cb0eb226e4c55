using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using CardGame.Contracts.Grains;

namespace CardGame.Edge.Delivery;

/// <summary>
/// The tables this edge follows, as its observer sees them (<see cref="TableEventFanOut.OnFollowedTablesEvents"/>):
/// kept by <see cref="TableSubscriptions"/> (a table is listed from before the edge's first <c>Follow</c> of it until
/// after its <c>Unfollow</c> was answered or failed), read without a lock by the observer, which refuses the batches of
/// a table not listed and notes, for each one it takes, the refresh tick it came in (<see cref="Tick"/>). A table
/// whose batch was noted within the period has renewed this edge's subscription itself, so the edge skips its refresh.
/// </summary>
public sealed class FollowedTables
{
    /// <summary>The tick noted for a table that has delivered nothing through a renewing call yet.</summary>
    public const long Never = long.MinValue / 2;

    private readonly ConcurrentDictionary<string, StrongBox<long>> _tables = new(StringComparer.Ordinal);
    private long _tick;

    /// <summary>Refresh ticks so far: <see cref="TableSubscriptions"/> counts one at each twentieth of its period.</summary>
    public long Tick => Volatile.Read(ref _tick);

    internal long NextTick() => Interlocked.Increment(ref _tick);

    /// <summary>Lists <paramref name="roomId"/> (under the subscriptions' gate); its box holds the tick of its last renewing batch.</summary>
    internal StrongBox<long> Add(string roomId) => _tables.GetOrAdd(roomId, static _ => new StrongBox<long>(Never));

    internal void Remove(string roomId) => _tables.TryRemove(roomId, out _);

    /// <summary>The tick of the last renewing batch of <paramref name="roomId"/> (<see cref="Never"/>: none), or null when not followed.</summary>
    public long? LastRenewed(string roomId) => _tables.TryGetValue(roomId, out var renewed) ? Volatile.Read(ref renewed.Value) : null;

    /// <summary>Whether this edge follows <paramref name="roomId"/>.</summary>
    public bool Follows(string roomId) => _tables.ContainsKey(roomId);

    /// <summary>
    /// A batch of <paramref name="roomId"/> taken through <see cref="ITableObserver.OnFollowedTablesEvents"/>: the table
    /// renewed this edge's subscription with it. False when the table is not followed (the batch is refused).
    /// </summary>
    public bool Renewed(string roomId)
    {
        if (!_tables.TryGetValue(roomId, out var renewed))
        {
            return false;
        }

        Volatile.Write(ref renewed.Value, Tick);
        return true;
    }
}

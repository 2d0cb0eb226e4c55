using System.Collections.Concurrent;
using CardGame.LoadTest.Checking;
using CardGame.LoadTest.Metrics;

namespace CardGame.LoadTest.Players;

/// <summary>
/// With <c>--quick-play</c> the server, not the tool, decides who sits together: the table groups (and their cross-seat
/// checks) are formed from the rooms <c>QuickPlay</c> answered with, one group per room, as the players land in them.
/// </summary>
public sealed class QuickPlayTables(int tables, int seats, RunMetrics metrics, Violations violations)
{
    private readonly ConcurrentDictionary<string, TableGroup> _byRoom = new(StringComparer.Ordinal);
    private int _next = -1;

    /// <summary>Rooms the players were seated in.</summary>
    public int Count => _byRoom.Count;

    /// <summary>
    /// The group of <paramref name="roomId"/>. Indexes run 0 to <c>tables</c> − 1 (the open-loop pacer's per-table
    /// queues); a room of a player from outside the run would wrap around and share one.
    /// </summary>
    public TableGroup For(string roomId) => _byRoom.GetOrAdd(roomId, id =>
    {
        var group = new TableGroup(Interlocked.Increment(ref _next) % tables, seats, metrics, violations);
        group.Room.TrySetResult(id);
        return group;
    });
}

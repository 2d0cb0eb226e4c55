using CardGame.Contracts.Protocol;

namespace CardGame.LoadTest.Lobby;

/// <summary>
/// One round of room-list changes: the rooms changed at once and the state each now has. A watcher's delivery of a
/// change is the first <c>LobbyEvent</c> that carries the room in that state; the round is complete when every
/// watcher has had every change.
/// </summary>
public sealed class LobbyRound
{
    private readonly Dictionary<string, int> _index;
    private readonly TaskCompletionSource _complete = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _remaining;

    public LobbyRound(IReadOnlyList<RoomInfo> changes, int watchers)
    {
        Changes = changes;
        _index = changes.Select((room, i) => (room.RoomId, i)).ToDictionary(c => c.RoomId, c => c.i, StringComparer.Ordinal);
        _remaining = (long)changes.Count * watchers;
        if (_remaining == 0)
        {
            _complete.SetResult();
        }
    }

    public IReadOnlyList<RoomInfo> Changes { get; }

    /// <summary>Completes when every watcher has had every change.</summary>
    public Task Complete => _complete.Task;

    /// <summary>When the changes were sent (a <see cref="Metrics.Clock"/> timestamp); set just before the first is.</summary>
    public long SentAt { get; set; }

    /// <summary>The change <paramref name="room"/> delivers, or −1 when it is not one of this round's.</summary>
    public int IndexOf(RoomInfo room) =>
        _index.TryGetValue(room.RoomId, out var i) && Changes[i] == room ? i : -1;

    /// <summary>A watcher had one change for the first time.</summary>
    public void Delivered()
    {
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            _complete.TrySetResult();
        }
    }
}

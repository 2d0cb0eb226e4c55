using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using Microsoft.Extensions.Logging;

namespace CardGame.Grains;

/// <summary>
/// The authoritative room list. Tables send one-way updates when their entry changes; the list is written to
/// storage at most once a second (it is rebuilt from tables' re-announcements anyway), so room churn does not turn
/// into a storage write per event. Readers go through the <see cref="RoomListGrain"/> cache.
/// </summary>
public sealed partial class RoomDirectoryGrain(
    [PersistentState("rooms", StorageNames.Tables)] IPersistentState<RoomDirectoryState> directory,
    ILogger<RoomDirectoryGrain> logger) : Grain, IRoomDirectoryGrain
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);
    private IReadOnlyList<RoomInfo>? _sorted;
    private bool _dirty;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(FlushAsync, FlushInterval, FlushInterval);
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
    }

    public Task Update(RoomInfo room)
    {
        if (!directory.State.Rooms.TryGetValue(room.RoomId, out var existing) || existing != room)
        {
            directory.State.Rooms[room.RoomId] = room;
            Changed();
        }

        return Task.CompletedTask;
    }

    public Task Remove(string roomId)
    {
        if (directory.State.Rooms.Remove(roomId))
        {
            Changed();
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<RoomInfo>> List()
    {
        _sorted ??= directory.State.Rooms.Values
            .OrderBy(r => r.Phase == Phases.Waiting ? 0 : r.Phase == Phases.Playing ? 1 : 2)
            .ThenBy(r => r.Name, StringComparer.OrdinalIgnoreCase)
            .ThenBy(r => r.RoomId, StringComparer.Ordinal)
            .ToList();
        return Task.FromResult(_sorted);
    }

    private void Changed()
    {
        _sorted = null;
        _dirty = true;
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (!_dirty)
        {
            return;
        }

        try
        {
            _dirty = false;
            await directory.WriteStateAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            _dirty = true;
            LogFlushFailed(logger, ex, directory.State.Rooms.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing the room list ({Rooms} rooms) failed; will retry")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception, int rooms);
}

using Microsoft.Extensions.Logging;

namespace CardGame.Grains;

/// <summary>
/// Live migration: when the table moves to another silo (graceful shutdown of its silo, or the rebalancer), its
/// persisted state travels with its ETag (Orleans carries it) and <see cref="TableMemory"/> carries the rest (resume log; edge subscriptions with their queued events and watcher counts), so
/// <see cref="Resume"/> still answers with events and the edges' subscriptions keep receiving without a gap.
/// </summary>
public sealed partial class TableGrain
{
    private const string MemoryKey = "cardgame.table.memory";

    public void OnDehydrate(IDehydrationContext dehydrationContext)
    {
        if (_poisoned)
        {
            return;
        }

        var memory = new TableMemory([], _edges.Export(), _presence.Export(), _log.Export());
        dehydrationContext.TryAddValue(MemoryKey, memory);
        LogDehydrated(logger, RoomId, table.State.Seq, _log.Count, memory.Edges.Length);
    }

    public void OnRehydrate(IRehydrationContext rehydrationContext)
    {
        if (rehydrationContext.TryGetValue(MemoryKey, out TableMemory? memory))
        {
            _rehydrated = memory;
        }
    }

    /// <summary>Called on activation: takes over what the previous activation handed over, if it migrated here.</summary>
    private void RestoreMemory()
    {
        if (_rehydrated is not { } memory)
        {
            return;
        }

        _rehydrated = null;
        RestoreLog(memory);

        _edges.Import(memory.Edges);
        if (!memory.Presence.IsDefault)
        {
            _presence.Import(memory.Presence);
        }

        _table.Spectators = _edges.Spectators;
        LogRehydrated(logger, RoomId, table.State.Seq, _log.Count, memory.Edges.Length);
    }

    /// <summary>
    /// The events the previous activation kept, up to the state's seq: from its compact log, or from a table of a version
    /// before it, its events as objects. A compact log this version cannot read is left out (the table then answers as
    /// after a reload from storage), not a reason to fail the activation.
    /// </summary>
    private void RestoreLog(TableMemory memory)
    {
        try
        {
            _log.Restore(memory, table.State.Seq);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentOutOfRangeException or OverflowException)
        {
            _log.Clear();
            LogUnreadableLog(logger, ex, RoomId, memory.CompactLog?.Length ?? 0);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Room {RoomId} migrated here with a resume log of {Bytes} bytes it cannot read; it starts without one")]
    private static partial void LogUnreadableLog(ILogger logger, Exception exception, string roomId, int bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Room {RoomId} migrating at seq {Seq} with {Events} events and {Edges} edge subscriptions")]
    private static partial void LogDehydrated(ILogger logger, string roomId, long seq, int events, int edges);

    [LoggerMessage(Level = LogLevel.Information, Message = "Room {RoomId} migrated here at seq {Seq} with {Events} events and {Edges} edge subscriptions")]
    private static partial void LogRehydrated(ILogger logger, string roomId, long seq, int events, int edges);
}

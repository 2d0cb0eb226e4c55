using System.Collections.Concurrent;
using CardGame.Contracts.Grains;

namespace CardGame.Grains.Tests.Cluster;

/// <summary>
/// Stands in for an edge node: records every notification a table sends it, in arrival order, and (as the edge
/// does) passes on each event once through <see cref="TableEventSequencer"/>; it fetches nothing, so a gap it
/// finds is passed on at once (and fails the tests that expect none).
/// </summary>
internal sealed class RecordingObserver : ITableObserver
{
    private readonly Lock _gate = new();
    private readonly TableEventSequencer _seen = new();

    /// <summary>What the edge passes on to its clients: each event once.</summary>
    public ConcurrentQueue<TableNotification> Received { get; } = new();

    /// <summary>Every event as it arrived, resends included.</summary>
    public ConcurrentQueue<TableNotification> Arrived { get; } = new();

    public Task OnTableEvents(string roomId, IReadOnlyList<TableNotification> notifications)
    {
        lock (_gate)
        {
            foreach (var notification in notifications)
            {
                Arrived.Enqueue(notification);
            }

            var step = _seen.Accept(roomId, notifications);
            foreach (var notification in step.FetchAfter is null ? step.Ready : [.. step.Ready, .. _seen.Filled(roomId, null)])
            {
                Received.Enqueue(notification);
            }
        }

        return Task.CompletedTask;
    }

    public async Task WaitForSeqAsync(long seq, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!Received.Any(n => n.Event.Seq >= seq))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no event with seq {seq}; last seen {Received.LastOrDefault()?.Event.Seq}");
            }

            await Task.Delay(20);
        }
    }
}

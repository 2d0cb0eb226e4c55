using System.Collections.Concurrent;
using CardGame.Contracts.Grains;

namespace CardGame.Grains.Tests.Cluster;

/// <summary>Stands in for an edge node: records every notification a table sends it, in arrival order.</summary>
internal sealed class RecordingObserver : ITableObserver
{
    public ConcurrentQueue<TableNotification> Received { get; } = new();

    public Task OnTableEvents(string roomId, IReadOnlyList<TableNotification> notifications)
    {
        foreach (var notification in notifications)
        {
            Received.Enqueue(notification);
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

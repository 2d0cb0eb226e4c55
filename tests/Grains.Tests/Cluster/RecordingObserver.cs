using System.Collections.Concurrent;
using System.Collections.Immutable;
using CardGame.Contracts.Grains;

namespace CardGame.Grains.Tests.Cluster;

/// <summary>
/// Stands in for an edge node: records every notification a table sends it, in arrival order, and (as the edge
/// does) passes on each event once through <see cref="TableEventSequencer"/>; it fetches nothing, so a gap it
/// finds is passed on at once (and fails the tests that expect none). It counts the calls it gets and the tables'
/// batches they carry, and can hold the answer to a call (<see cref="HoldNextCall"/>) to play a slow edge.
/// </summary>
internal sealed class RecordingObserver : ITableObserver
{
    private readonly Lock _gate = new();
    private readonly TableEventSequencer _seen = new();
    private TaskCompletionSource? _hold;
    private int _calls;
    private int _batches;
    private int _callsOfSeveral;

    /// <summary>What the edge passes on to its clients: each event once.</summary>
    public ConcurrentQueue<TableNotification> Received { get; } = new();

    /// <summary>Every event as it arrived, resends included.</summary>
    public ConcurrentQueue<TableNotification> Arrived { get; } = new();

    /// <summary>Calls received (each carrying one table's batch or several).</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Tables' batches those calls carried.</summary>
    public int Batches => Volatile.Read(ref _batches);

    /// <summary>Calls of <see cref="OnTablesEvents"/> received.</summary>
    public int CallsOfSeveral => Volatile.Read(ref _callsOfSeveral);

    /// <summary>False: plays an edge of the earlier version, which cannot read a call of several tables' batches and fails it.</summary>
    public bool TakesTablesEvents { get; init; } = true;

    /// <summary>Completes when the held call (<see cref="HoldNextCall"/>) has arrived.</summary>
    public TaskCompletionSource HeldCallArrived { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// The next call is taken (its events recorded) but not answered until the returned source completes: the silo sees
    /// it in flight, as from an edge that is slow to answer.
    /// </summary>
    public TaskCompletionSource HoldNextCall()
    {
        HeldCallArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _hold, release);
        return release;
    }

    public Task OnTableEvents(string roomId, IReadOnlyList<TableNotification> notifications)
    {
        Interlocked.Increment(ref _calls);
        Take(roomId, notifications);
        return Answer();
    }

    /// <summary>Taken as <see cref="OnTablesEvents"/> (this stand-in follows every table it is sent).</summary>
    public async Task<ImmutableArray<string>> OnFollowedTablesEvents(IReadOnlyList<TableEventBatch> batches)
    {
        Interlocked.Increment(ref _callsOfSeveral);
        Interlocked.Increment(ref _calls);
        foreach (var batch in batches)
        {
            Take(batch.RoomId, batch.Notifications);
        }

        await Answer();
        return [];
    }

    public Task OnTablesEvents(IReadOnlyList<TableEventBatch> batches)
    {
        Interlocked.Increment(ref _callsOfSeveral);
        if (!TakesTablesEvents)
        {
            return Task.FromException(new NotSupportedException("an edge of the earlier version cannot read OnTablesEvents"));
        }

        Interlocked.Increment(ref _calls);
        foreach (var batch in batches)
        {
            Take(batch.RoomId, batch.Notifications);
        }

        return Answer();
    }

    /// <summary>A move's events that came with its answer (<see cref="ITableGrain.EventsWithAnswer"/>): passed on as the edge does, through the same sequencer.</summary>
    public void TakeAnswered(string roomId, IReadOnlyList<TableNotification> notifications)
    {
        lock (_gate)
        {
            var step = _seen.Accept(roomId, notifications);
            foreach (var notification in step.FetchAfter is null ? step.Ready : [.. step.Ready, .. _seen.Filled(roomId, null)])
            {
                Received.Enqueue(notification);
            }
        }
    }

    private void Take(string roomId, IReadOnlyList<TableNotification> notifications)
    {
        lock (_gate)
        {
            Interlocked.Increment(ref _batches);
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
    }

    private Task Answer()
    {
        if (Interlocked.Exchange(ref _hold, null) is { } release)
        {
            HeldCallArrived.TrySetResult();
            return release.Task;
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

using System.Collections.Concurrent;
using System.Diagnostics;
using CardGame.Contracts.Grains;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CardGame.Grains;

/// <summary>
/// The silo's calls to each edge's <see cref="ITableObserver"/>, shared by all its tables. A table hands over one batch
/// at a time per edge and awaits it (<see cref="SendAsync"/>). A batch for an edge with no call in flight goes at once, as
/// the same <see cref="ITableObserver.OnTableEvents"/> call a table would make; batches that come while one is in flight
/// wait and go together in one <see cref="ITableObserver.OnTablesEvents"/> call when it returns, so at load an edge gets
/// one call (and sends one answer) for many tables' batches instead of one each. Each batch's task completes when the
/// call carrying it does: taken, failed or timed out (<see cref="GameOptions.DeliveryTimeout"/>), and the table retries
/// or drops the edge as before. An edge of an earlier version, which did not say it takes the call of several batches
/// (<see cref="ITableObserver.TakesTablesEvents"/>), gets every batch in a call of its own. An edge that said it takes
/// <see cref="ITableObserver.OnFollowedTablesEvents"/> gets its batches that way (<see cref="SendFollowedAsync"/>),
/// even one alone, and each batch's task says whether the edge took it or does not follow its table. Makes Orleans calls only,
/// never blocks, and holds nothing a table needs: a batch waiting here is still in its table's queue, so a table that
/// migrates meanwhile sends it again from its next activation (the edge drops the repeat by <c>seq</c>).
/// </summary>
public sealed partial class EdgeDeliveries(IOptions<GameOptions> options, ILogger<EdgeDeliveries> logger)
{
    /// <summary>At most this many tables' batches in one call.</summary>
    public const int MaxBatchesPerCall = 64;

    /// <summary>A lane idle this long is forgotten (edges restart; their old observers are not called again).</summary>
    private static readonly TimeSpan IdleLaneLifetime = TimeSpan.FromMinutes(5);

    private readonly GameOptions _options = options.Value;
    /// <summary>At most this many edges' shared ids and observers are kept (<see cref="Share"/>); past it they start afresh.</summary>
    private const int MaxSharedEdges = 1024;

    private readonly ConcurrentDictionary<ITableObserver, Lane> _lanes = new();
    private readonly ConcurrentDictionary<ITableObserver, SharedEdge> _shared = new();
    private long _calls;
    private long _batches;

    /// <summary>Calls made to edges' observers (each carrying one or more batches).</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>Tables' batches those calls carried.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Batches waiting here for a call to their edge to return.</summary>
    public int WaitingBatches
    {
        get
        {
            var waiting = 0;
            foreach (var lane in _lanes.Values)
            {
                lock (lane.Gate)
                {
                    waiting += lane.Queue.Count;
                }
            }

            return waiting;
        }
    }

    /// <summary>
    /// The one copy of an edge's id and observer reference that the tables on this silo keep for it. Every subscription
    /// call brings its own (deserialized) copies; kept by each table, they cost about 0.2 KiB per table and edge, and
    /// an idle silo holds thousands of tables per edge.
    /// </summary>
    public SharedEdge Share(string edgeId, ITableObserver observer)
    {
        if (_shared.TryGetValue(observer, out var known) && string.Equals(known.EdgeId, edgeId, StringComparison.Ordinal))
        {
            return known;
        }

        if (_shared.Count >= MaxSharedEdges)
        {
            // Edges that have gone (each start of an edge has its own observer): the tables keep the copies they hold.
            _shared.Clear();
        }

        var shared = new SharedEdge(edgeId, observer);
        _shared[observer] = shared;
        return shared;
    }

    /// <summary>
    /// Sends <paramref name="notifications"/> of <paramref name="roomId"/> to <paramref name="observer"/>; the task
    /// completes when the edge has taken them, or fails. A table awaits it before handing over its next batch for the edge.
    /// </summary>
    public Task SendAsync(ITableObserver observer, string roomId, IReadOnlyList<TableNotification> notifications, bool takesTablesEvents)
    {
        if (!takesTablesEvents || !_options.CoalesceDeliveries)
        {
            Count(1);
            return observer.OnTableEvents(roomId, notifications).WaitAsync(_options.DeliveryTimeout);
        }

        return Send(observer, roomId, notifications, followed: false);
    }

    /// <summary>
    /// Sends <paramref name="notifications"/> of <paramref name="roomId"/> to an edge that takes
    /// <see cref="ITableObserver.OnFollowedTablesEvents"/>: true once it has taken them (which renews its subscription),
    /// false when it answered that it does not follow the table (it took none of them); fails as <see cref="SendAsync"/>.
    /// </summary>
    public Task<bool> SendFollowedAsync(ITableObserver observer, string roomId, IReadOnlyList<TableNotification> notifications)
    {
        if (!_options.CoalesceDeliveries)
        {
            Count(1);
            return Followed(observer.OnFollowedTablesEvents([new TableEventBatch(roomId, notifications)]).WaitAsync(_options.DeliveryTimeout), roomId);
        }

        return Send(observer, roomId, notifications, followed: true);
    }

    /// <summary>Whether the edge took the batch of <paramref name="roomId"/> that <paramref name="call"/> carried.</summary>
    private static async Task<bool> Followed(Task<ImmutableArray<string>> call, string roomId) => !NotFollowed(await call).Contains(roomId);

    /// <summary>The rooms an answer of <see cref="ITableObserver.OnFollowedTablesEvents"/> names (none when it names none).</summary>
    private static ImmutableArray<string> NotFollowed(ImmutableArray<string> answer) => answer.IsDefault ? [] : answer;

    private static async Task<bool> Taken(Task call)
    {
        await call;
        return true;
    }

    private Task<bool> Send(ITableObserver observer, string roomId, IReadOnlyList<TableNotification> notifications, bool followed)
    {
        while (true)
        {
            var lane = _lanes.GetOrAdd(observer, NewLane);
            lock (lane.Gate)
            {
                if (lane.Retired)
                {
                    continue;
                }

                if (lane.Busy)
                {
                    // The table's span is current here and lasts until this batch's task completes: the call that carries
                    // the batch goes out under it when it is the first in that call.
                    var waiting = new Waiting(roomId, notifications, followed, Activity.Current);
                    lane.Queue.Add(waiting);
                    return waiting.Done.Task;
                }

                lane.Busy = true;
            }

            // Nothing in flight to this edge: the same call as a table alone would make, from the table's own turn.
            Count(1);
            Task<bool> call;
            try
            {
                call = followed
                    ? Followed(observer.OnFollowedTablesEvents([new TableEventBatch(roomId, notifications)]).WaitAsync(_options.DeliveryTimeout), roomId)
                    : Taken(observer.OnTableEvents(roomId, notifications).WaitAsync(_options.DeliveryTimeout));
            }
            catch (Exception ex)
            {
                call = Task.FromException<bool>(ex);
            }

            After(call, lane, null);
            return call;
        }
    }

    private Lane NewLane(ITableObserver observer)
    {
        // Rare (a new observer): a good moment to forget the lanes of edges long gone.
        var now = Environment.TickCount64;
        foreach (var (key, idle) in _lanes)
        {
            lock (idle.Gate)
            {
                if (!idle.Busy && now - idle.LastUsed > (long)IdleLaneLifetime.TotalMilliseconds)
                {
                    idle.Retired = true;
                    _lanes.TryRemove(new KeyValuePair<ITableObserver, Lane>(key, idle));
                }
            }
        }

        return new Lane(observer);
    }

    /// <summary>When <paramref name="call"/> ends: completes the batches it carried, then sends what queued meanwhile.</summary>
    private void After(Task call, Lane lane, List<Waiting>? carried)
    {
        if (call.IsCompleted)
        {
            // Not on the caller's thread (a table's turn): from the thread pool, like the answer of a call would come.
            ThreadPool.UnsafeQueueUserWorkItem(static state => state.Self.Completed(state.Call, state.Lane, state.Carried),
                (Self: this, Call: call, Lane: lane, Carried: carried), preferLocal: false);
            return;
        }

        // Without the context of whoever sent the call (a table's turn: its request context and trace).
        using (ExecutionContext.SuppressFlow())
        {
            call.ContinueWith(static (done, state) =>
            {
                var (self, lane, carried) = ((EdgeDeliveries, Lane, List<Waiting>?))state!;
                self.Completed(done, lane, carried);
            }, (this, lane, carried), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private void Completed(Task call, Lane lane, List<Waiting>? carried)
    {
        if (carried is not null)
        {
            // A call of OnFollowedTablesEvents answers the rooms the edge does not follow; the others take all.
            var notFollowed = call is Task<ImmutableArray<string>> { IsCompletedSuccessfully: true } answered ? NotFollowed(answered.Result) : [];
            foreach (var waiting in carried)
            {
                if (call.IsCompletedSuccessfully)
                {
                    waiting.Done.TrySetResult(!notFollowed.Contains(waiting.RoomId));
                }
                else if (call.Exception is { } failed)
                {
                    waiting.Done.TrySetException(failed.InnerExceptions);
                }
                else
                {
                    waiting.Done.TrySetCanceled();
                }
            }
        }

        List<Waiting> next;
        lock (lane.Gate)
        {
            lane.LastUsed = Environment.TickCount64;
            if (lane.Queue.Count == 0)
            {
                lane.Busy = false;
                return;
            }

            next = TakeNext(lane);
        }

        Count(next.Count);
        After(Send(lane.Observer, next), lane, next);
    }

    /// <summary>
    /// The batches of the lane's next call, at most <see cref="MaxBatchesPerCall"/>, all for the same call as the first
    /// (<see cref="ITableObserver.OnFollowedTablesEvents"/> or not): the others wait for the call after (a table has
    /// one batch at a time here, so no table's batches change order). Under the lane's gate.
    /// </summary>
    private static List<Waiting> TakeNext(Lane lane)
    {
        var queue = lane.Queue;
        var followed = queue[0].Followed;
        var alike = 0;
        while (alike < queue.Count && queue[alike].Followed == followed)
        {
            alike++;
        }

        if (alike == queue.Count && alike <= MaxBatchesPerCall)
        {
            lane.Queue = [];
            return queue;
        }

        // Rare (an edge subscribed both ways, while its subscriptions change over): take the first ones of a kind.
        var next = new List<Waiting>(Math.Min(queue.Count, MaxBatchesPerCall));
        for (var i = 0; i < queue.Count && next.Count < MaxBatchesPerCall; i++)
        {
            if (queue[i].Followed == followed)
            {
                next.Add(queue[i]);
                queue.RemoveAt(i--);
            }
        }

        return next;
    }

    /// <summary>One call for the batches that waited: under the trace of the first of them (each batch names its own).</summary>
    private Task Send(ITableObserver observer, List<Waiting> batches)
    {
        var previous = Activity.Current;
        try
        {
            Activity.Current = batches[0].Trace;
            if (batches[0].Followed)
            {
                return observer.OnFollowedTablesEvents(batches.ConvertAll(b => new TableEventBatch(b.RoomId, b.Notifications, b.Trace?.Id)))
                    .WaitAsync(_options.DeliveryTimeout);
            }

            var call = batches.Count == 1
                ? observer.OnTableEvents(batches[0].RoomId, batches[0].Notifications)
                : observer.OnTablesEvents(batches.ConvertAll(b => new TableEventBatch(b.RoomId, b.Notifications, b.Trace?.Id)));
            return call.WaitAsync(_options.DeliveryTimeout);
        }
        catch (Exception ex)
        {
            LogSendFailed(logger, ex, batches.Count);
            return Task.FromException(ex);
        }
        finally
        {
            Activity.Current = previous;
        }
    }

    private void Count(int batches)
    {
        Interlocked.Increment(ref _calls);
        Interlocked.Add(ref _batches, batches);
    }

    /// <summary>The calls to one edge observer: whether one is in flight, and the batches waiting for it to return.</summary>
    private sealed class Lane(ITableObserver observer)
    {
        public Lock Gate { get; } = new();

        public ITableObserver Observer { get; } = observer;

        public bool Busy { get; set; }

        /// <summary>Removed from the silo's lanes: a table that found it must take the current one.</summary>
        public bool Retired { get; set; }

        public long LastUsed { get; set; } = Environment.TickCount64;

        public List<Waiting> Queue { get; set; } = [];
    }

    private sealed class Waiting(string roomId, IReadOnlyList<TableNotification> notifications, bool followed, Activity? trace)
    {
        public string RoomId { get; } = roomId;

        public IReadOnlyList<TableNotification> Notifications { get; } = notifications;

        /// <summary>For <see cref="ITableObserver.OnFollowedTablesEvents"/> (else the calls of earlier versions).</summary>
        public bool Followed { get; } = followed;

        /// <summary>The table's delivery span, running until <see cref="Done"/> completes (null when nobody traces).</summary>
        public Activity? Trace { get; } = trace;

        /// <summary>True when the edge took the batch; false when it answered that it does not follow the table.</summary>
        public TaskCompletionSource<bool> Done { get; } = new();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A call carrying {Batches} tables' event batches to an edge could not be sent")]
    private static partial void LogSendFailed(ILogger logger, Exception exception, int batches);

    /// <summary>An edge's id and observer reference, one copy shared by the tables on this silo (<see cref="Share"/>).</summary>
    public sealed record SharedEdge(string EdgeId, ITableObserver Observer);
}

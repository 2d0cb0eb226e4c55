using System.Diagnostics;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using CardGame.Edge.Cluster;
using CardGame.Edge.Observability;
using Microsoft.Extensions.Options;

namespace CardGame.Edge.Delivery;

/// <summary>
/// This edge's <see cref="ITableObserver"/>. A table sends it each batch in <c>seq</c> order and waits for the call.
/// Batches are handed on one at a time, in the order they came: a batch that finds nothing queued is handed on at once,
/// on the thread of the table's call (as SignalR sends to a group: each connection's write only hands bytes to its
/// outbox and transport, <see cref="ConnectionOutbox"/>), and batches that come meanwhile are queued and handed on
/// from a pool thread, so a table waits at most for its own batch (a silo's call carrying several tables' batches,
/// <see cref="OnTablesEvents"/>, for those), never on clients or on other tables' batches. A
/// hand-off through a queue read by a loop of its own had cost a thread-pool wake-up per batch. Each event goes to the
/// players the table names
/// as its recipients (not to any seating of the edge's own; their seats are the table's word, <see cref="TableSeats"/>),
/// as each recipient may see it
/// (<see cref="TableNotification.ForRecipient"/>; each form encoded once per transport however many get it), to every
/// local connection of every recipient, in order; and its public
/// form (<see cref="TableNotification.ForSpectator"/>), encoded once per transport however many watch, to every local
/// connection watching the room that is not a recipient's. Tables deliver at least once: an event seen before (by <c>seq</c>) is dropped;
/// and an event further on than the next one (the table dropped this edge and it subscribed again, or a late batch of a table
/// that has moved) waits while the events it skipped are fetched from the table's log (<see cref="ITableEventLog"/>), so
/// clients never see a gap the table can still fill (<see cref="TableEventSequencer"/>). The queue is bounded
/// (<see cref="EdgeOptions.MaxQueuedTableEvents"/>): an edge that falls that far behind refuses the next
/// batch (a batch that finds the queue empty is always taken, so the missed events a table resends first to an edge
/// that subscribes again, up to 32, are never refused forever by a bound smaller than them), and the table, seeing its deliveries fail, drops the edge as it does any edge that stops answering; the edge
/// subscribes again at its next refresh and its clients resync with Resume. A move of this edge's own brings its events
/// with the answer instead when the table had nothing else queued for this edge (<see cref="Answered"/>, from
/// <c>MoveWithEvents</c>): handed on the same way, in the same order by <c>seq</c>, whichever of the answer and the
/// observer's next batch comes first.
/// </summary>
public sealed partial class TableEventFanOut(LocalPlayers players, TableSeats seats, LocalSpectators spectators, TableRoutes routes,
    FollowedTables followed, IOptions<EdgeOptions> options, ILogger<TableEventFanOut> logger) : ITableObserver, IThreadPoolWorkItem
{
    /// <summary>The answer to <see cref="OnFollowedTablesEvents"/> when every table in it is followed (nearly always).</summary>
    private static readonly Task<ImmutableArray<string>> AllFollowed = Task.FromResult(ImmutableArray<string>.Empty);

    /// <summary>Attempts at fetching the events behind a gap before passing the gap on.</summary>
    private const int FetchAttempts = 3;

    /// <summary>How long one attempt at fetching the events behind a gap may take.</summary>
    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(3);

    private readonly TableEventSequencer _sequence = new();

    // Batches not handed on yet: from a table, or (Fetched) what a fetch of the events behind a gap brought (null: nothing).
    private readonly ConcurrentQueue<Batch> _batches = new();

    // 1 while one thread hands batches on (at most one at a time, so they go in order).
    private int _delivering;

    private readonly int _maxQueued = options.Value.MaxQueuedTableEvents;
    private int _queued;
    private int _peakQueued;
    private long _refused;
    private long _notFollowed;
    private long _observedBatches;
    private long _answeredBatches;

    /// <summary>Events accepted from tables and not yet handed to connections.</summary>
    public int QueuedEvents => Volatile.Read(ref _queued);

    /// <summary>The most events ever queued at once.</summary>
    public int PeakQueuedEvents => Volatile.Read(ref _peakQueued);

    /// <summary>Batches refused because the queue was full.</summary>
    public long RefusedBatches => Interlocked.Read(ref _refused);

    /// <summary>Batches refused because this edge does not follow their table (<see cref="OnFollowedTablesEvents"/>).</summary>
    public long NotFollowedBatches => Interlocked.Read(ref _notFollowed);

    /// <summary>Batches that came through this edge's observer (calls of several tables' batches count each).</summary>
    public long ObservedBatches => Interlocked.Read(ref _observedBatches);

    /// <summary>Batches that came with the answer to a move of this edge's (<see cref="Answered"/>).</summary>
    public long AnsweredBatches => Interlocked.Read(ref _answeredBatches);

    /// <summary>Awaited before each batch is delivered; tests hold it to play an edge too slow to keep up.</summary>
    internal Func<Task>? BeforeDelivery { get; set; }

    /// <summary>Gaps in a table's events found here and filled from its log before anything after them was passed on.</summary>
    public long GapsFilled => _sequence.GapsFilled;

    /// <summary>Gaps the table could no longer fill, passed on to the clients (who resync with <c>Resume</c>).</summary>
    public long GapsLeft => _sequence.GapsLeft;

    /// <summary>Awaited before a gap's events are fetched; tests hold it to let the missing batch arrive first.</summary>
    internal Func<Task>? BeforeFetch { get; set; }

    /// <summary>The last <c>seq</c> of <paramref name="roomId"/> passed on here, or null when none is remembered.</summary>
    public long? LastSeq(string roomId) => _sequence.LastSeq(roomId);

    /// <summary>
    /// The edge is about to subscribe to <paramref name="roomId"/> without following it (its clients there start from a
    /// view): its next event starts the room afresh instead of opening a gap to fetch.
    /// </summary>
    public void Forget(string roomId) => _sequence.Forget(roomId);

    public Task OnTableEvents(string roomId, IReadOnlyList<TableNotification> notifications)
    {
        if (Refused(roomId, notifications.Count) is { } refused)
        {
            return Task.FromException(refused);
        }

        // The batch may be handed on later: keep the trace it came with (when anyone traces).
        var trace = EdgeTracing.Source.HasListeners() ? EdgeTracing.IncomingContext() : default;
        Interlocked.Increment(ref _observedBatches);
        Post(new Batch(roomId, notifications, trace, Fetched: false));
        return Task.CompletedTask;
    }

    /// <summary>
    /// A move's events that came with its answer (<see cref="ITableGrain.EventsWithAnswer"/>): handed on as a batch from
    /// the table's observer would be, in the trace of the move. Never refused: the table has sent them nowhere else.
    /// </summary>
    public void Answered(string roomId, IReadOnlyList<TableNotification> notifications)
    {
        InterlockedMax(ref _peakQueued, Interlocked.Add(ref _queued, notifications.Count));
        Interlocked.Increment(ref _answeredBatches);
        Post(new Batch(roomId, notifications, Activity.Current?.Context ?? default, Fetched: false));
    }

    /// <summary>
    /// A move that asked for its events with the answer has no answer that carries them (it failed, or a repeat of it
    /// was answered first): the table may have published them to this edge through that answer alone, so the events of
    /// <paramref name="roomId"/> after the last one passed on here are fetched from its log, as for a gap.
    /// </summary>
    public void AnswerMissing(string roomId)
    {
        if (_sequence.FetchAfter(roomId) is { } after)
        {
            StartFetch(roomId, after);
        }
    }

    /// <summary>Several tables' batches from one silo: each as if it had come alone, in order; taken or refused as a whole.</summary>
    public Task OnTablesEvents(IReadOnlyList<TableEventBatch> batches)
    {
        var count = 0;
        foreach (var batch in batches)
        {
            count += batch.Notifications.Count;
        }

        if (Refused(batches.Count > 0 ? batches[0].RoomId : "", count) is { } refused)
        {
            return Task.FromException(refused);
        }

        PostAll(batches, renewing: false, []);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Several tables' batches from a silo whose tables count each batch this edge takes as a refresh of its subscription
    /// (<see cref="FollowedTables"/> notes it, and the edge skips that table's next refresh): those of the tables this
    /// edge follows are taken as <see cref="OnTablesEvents"/> takes them, as a whole or not at all; the answer names the
    /// others, of tables it does not follow (their <c>Unfollow</c> was lost, or is on its way): it takes none of their
    /// events, and each such table drops this edge.
    /// </summary>
    public Task<ImmutableArray<string>> OnFollowedTablesEvents(IReadOnlyList<TableEventBatch> batches)
    {
        if (batches.Count == 0)
        {
            return AllFollowed;
        }

        var count = 0;
        ImmutableArray<string>.Builder? notFollowed = null;
        foreach (var batch in batches)
        {
            if (followed.Follows(batch.RoomId))
            {
                count += batch.Notifications.Count;
            }
            else
            {
                (notFollowed ??= ImmutableArray.CreateBuilder<string>()).Add(batch.RoomId);
            }
        }

        var answer = notFollowed?.ToImmutable() ?? [];
        if (answer.Length > 0)
        {
            Interlocked.Add(ref _notFollowed, answer.Length);
            LogNotFollowed(logger, answer.Length, answer[0]);
            if (answer.Length == batches.Count)
            {
                return Task.FromResult(answer);
            }
        }

        if (Refused(batches[0].RoomId, count) is { } refused)
        {
            return Task.FromException<ImmutableArray<string>>(refused);
        }

        PostAll(batches, renewing: true, answer);
        return answer.Length > 0 ? Task.FromResult(answer) : AllFollowed;
    }

    /// <summary>
    /// Posts the batches but those of the rooms <paramref name="skipped"/>, each as if it had come alone, in order;
    /// <paramref name="renewing"/>: each renewed this edge's subscription to its table.
    /// </summary>
    private void PostAll(IReadOnlyList<TableEventBatch> batches, bool renewing, ImmutableArray<string> skipped)
    {
        var tracing = EdgeTracing.Source.HasListeners();
        var incoming = tracing ? EdgeTracing.IncomingContext() : default;
        foreach (var batch in batches)
        {
            if (skipped.Length > 0 && skipped.Contains(batch.RoomId))
            {
                continue;
            }

            if (renewing)
            {
                followed.Renewed(batch.RoomId);
            }

            Interlocked.Increment(ref _observedBatches);
            // Each batch in the trace of the move that published it (the call itself goes in the first one's).
            var trace = tracing && ActivityContext.TryParse(batch.TraceParent, null, isRemote: true, out var own) ? own : incoming;
            Post(new Batch(batch.RoomId, batch.Notifications, trace, Fetched: false));
        }
    }

    /// <summary>Counts <paramref name="count"/> events as queued, or refuses them (an exception for the call) when that is too many.</summary>
    private InvalidOperationException? Refused(string roomId, int count)
    {
        var queued = Interlocked.Add(ref _queued, count);
        if (queued > _maxQueued && queued > count)
        {
            // Refused, not queued: the table counts a failed delivery (and may send it again); nothing of it is kept here.
            Interlocked.Add(ref _queued, -count);
            Interlocked.Increment(ref _refused);
            LogRefused(logger, roomId, count, queued - count);
            return new InvalidOperationException($"edge behind: {queued - count} table events queued, at most {_maxQueued}");
        }

        InterlockedMax(ref _peakQueued, queued);
        return null;
    }

    private void Post(Batch batch)
    {
        _batches.Enqueue(batch);
        if (Interlocked.CompareExchange(ref _delivering, 1, 0) == 0)
        {
            _ = DeliverQueuedAsync(onPoster: true);
        }
    }

    void IThreadPoolWorkItem.Execute() => _ = DeliverQueuedAsync(onPoster: false);

    /// <summary>
    /// Hands the queued batches on, in order, while holding <see cref="_delivering"/>, and lets it go once the queue is
    /// empty. On the poster's thread (<paramref name="onPoster"/>) it hands on the batch just posted and leaves what
    /// others posted meanwhile to a pool thread.
    /// </summary>
    private async Task DeliverQueuedAsync(bool onPoster)
    {
        while (true)
        {
            while (_batches.TryDequeue(out var batch))
            {
                try
                {
                    if (!batch.Fetched && BeforeDelivery is { } gate)
                    {
                        var held = gate();
                        onPoster &= held.IsCompleted;
                        await held;
                    }

                    Deliver(batch);
                }
                catch (Exception ex)
                {
                    LogBatchFailed(logger, ex, batch.RoomId);
                }

                if (onPoster && !_batches.IsEmpty)
                {
                    ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
                    return;
                }
            }

            // Let go, then look again: a batch posted just before found the flag still held and left it to us.
            Interlocked.Exchange(ref _delivering, 0);
            if (_batches.IsEmpty || Interlocked.CompareExchange(ref _delivering, 1, 0) != 0)
            {
                return;
            }

            if (onPoster)
            {
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
                return;
            }
        }
    }

    private void Deliver(Batch batch)
    {
        var (roomId, notifications, trace, fetched) = batch;
        IReadOnlyList<TableNotification> ready;
        if (fetched)
        {
            ready = _sequence.Filled(roomId, notifications);
            LogGapFetched(logger, roomId, notifications?.Count, ready.Count, _sequence.LastSeq(roomId));
        }
        else
        {
            Interlocked.Add(ref _queued, -notifications!.Count);
            // Tables send again a batch whose delivery failed (it may have arrived): each event goes out once, in
            // order; one that skips ahead waits until what it skipped is fetched from the table.
            var step = _sequence.Accept(roomId, notifications);
            ready = step.Ready;
            if (step.FetchAfter is { } after)
            {
                LogGap(logger, roomId, after, notifications.Min(n => n.Event.Seq > after ? n.Event.Seq : long.MaxValue));
                StartFetch(roomId, after);
            }
        }

        using var deliver = EdgeTracing.Source.StartActivity("edge.deliver", ActivityKind.Internal, trace);
        deliver?.SetTag("cardgame.room_id", roomId);
        deliver?.SetTag("cardgame.events", ready.Count);
        foreach (var notification in ready)
        {
            try
            {
                Deliver(roomId, notification);
            }
            catch (Exception ex)
            {
                LogDeliveryFailed(logger, ex, roomId, notification.Event.Seq);
            }
        }
    }

    /// <summary>Fetches, in the background, the events of <paramref name="roomId"/> after <paramref name="after"/> from its table; the loop passes them on.</summary>
    private void StartFetch(string roomId, long after)
    {
        // Not under the trace of the batch that found the gap.
        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(async () =>
            {
                IReadOnlyList<TableNotification>? missed = null;
                for (var attempt = 1; attempt <= FetchAttempts; attempt++)
                {
                    try
                    {
                        if (BeforeFetch is { } gate)
                        {
                            await gate();
                        }

                        missed = await routes.SendAsync(roomId, t => t.AsReference<ITableEventLog>().EventsAfter(after)).WaitAsync(FetchTimeout);
                        break;
                    }
                    catch (Exception ex)
                    {
                        LogFetchFailed(logger, ex, roomId, after, attempt);
                    }
                }

                Post(new Batch(roomId, missed, default, Fetched: true));
            });
        }
    }

    private void Deliver(string roomId, TableNotification notification)
    {
        // The table's word on who sits there: its recipients (a left event also goes to the player who left).
        var tableEvent = notification.Event;
        seats.Said(roomId, tableEvent.Seq, tableEvent.Kind == EventKinds.Left
            ? notification.Recipients.Where(id => id != tableEvent.PlayerId)
            : notification.Recipients);

        // Recipients who may see the same form of the event (all of them, but for a taken card or a dealt hand) share one
        // encoding per transport, as spectators do: most events are encoded once per edge, not once per connection.
        PreparedEvent<TableEvent>? first = null;
        List<PreparedEvent<TableEvent>>? forms = null;
        var recipients = notification.Recipients;
        for (var i = 0; i < recipients.Length; i++)
        {
            // A recipient named twice gets the event once (checked without a set: a table seats at most a handful).
            var recipient = recipients[i];
            if (recipients.AsSpan(0, i).Contains(recipient))
            {
                continue;
            }

            var connections = players.ConnectionsOf(recipient);
            if (connections.Count == 0)
            {
                continue;
            }

            var personal = notification.ForRecipient(recipient);
            var prepared = first is not null && first.Event.Equals(personal) ? first : FormOf(forms, personal);
            if (prepared is null)
            {
                prepared = new PreparedEvent<TableEvent>(personal);
                if (first is null)
                {
                    first = prepared;
                }
                else
                {
                    (forms ??= []).Add(prepared);
                }
            }

            // Indexed: a foreach over the list's interface would make an enumerator per recipient and event.
            for (var c = 0; c < connections.Count; c++)
            {
                connections[c].Outbox.Post(prepared);
            }
        }

        var watchers = spectators.WatchersOf(roomId);
        if (watchers.Count == 0)
        {
            return;
        }

        // One public form for every watcher, encoded once per edge and transport (not once per spectator).
        var forSpectators = new PreparedEvent<TableEvent>(notification.ForSpectator());
        for (var w = 0; w < watchers.Count; w++)
        {
            // A seated player watching their own table already has the event, with their own cards.
            var watcher = watchers[w];
            if (!notification.Recipients.Contains(watcher.PlayerId))
            {
                watcher.Outbox.Post(forSpectators);
            }
        }
    }

    /// <summary>The form among <paramref name="forms"/> that is <paramref name="tableEvent"/>, if any (a loop: a lambda here cost a closure per recipient).</summary>
    private static PreparedEvent<TableEvent>? FormOf(List<PreparedEvent<TableEvent>>? forms, TableEvent tableEvent)
    {
        if (forms is not null)
        {
            foreach (var form in forms)
            {
                if (form.Event.Equals(tableEvent))
                {
                    return form;
                }
            }
        }

        return null;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current && Interlocked.CompareExchange(ref target, value, current) is var seen && seen != current)
        {
            current = seen;
        }
    }

    /// <summary>A table's batch, or (<paramref name="Fetched"/>) what a fetch of the events behind a gap brought (null: nothing).</summary>
    private readonly record struct Batch(string RoomId, IReadOnlyList<TableNotification>? Notifications, ActivityContext Trace, bool Fetched);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handing on a batch of room {RoomId} failed")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, string roomId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a batch of {Count} events of room {RoomId}: {Queued} table events are queued on this edge already")]
    private static partial void LogRefused(ILogger logger, string roomId, int count, int queued);

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused the batches of {Tables} table(s) this edge does not follow (first: room {RoomId}); they drop this edge")]
    private static partial void LogNotFollowed(ILogger logger, int tables, string roomId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Room {RoomId}: event {Seq} came after {LastSeq}; holding it until the events between are fetched from the table")]
    private static partial void LogGap(ILogger logger, string roomId, long lastSeq, long seq);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Room {RoomId}: fetching the events after {LastSeq} failed (attempt {Attempt})")]
    private static partial void LogFetchFailed(ILogger logger, Exception exception, string roomId, long lastSeq, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Room {RoomId}: the fetch behind a gap brought {Fetched} events; {Passed} passed on, up to seq {LastSeq}")]
    private static partial void LogGapFetched(ILogger logger, string roomId, int? fetched, int passed, long? lastSeq);

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivering event {Seq} of room {RoomId} failed")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, string roomId, long seq);
}

using CardGame.Contracts.Grains;
using Microsoft.Extensions.Logging;

namespace CardGame.Grains;

/// <summary>
/// The edges subscribed to one table, each with its own ordered queue. Publishing never waits for an edge: each edge
/// gets one batch in flight at a time (so it sees events in <c>seq</c> order), a slow edge only delays itself, and an
/// edge that fails repeatedly, falls too far behind or stops refreshing is dropped. Delivery is at least once: a batch
/// stays queued until the edge has taken it; or, for the events of a move whose edge asked for them with the answer
/// and had nothing queued, until the answer has left (<see cref="Publish"/>: the edge fetches them from the table's
/// log if that answer never reaches it). An edge that said it refuses the batches of tables it does not follow
/// (<see cref="ITableObserver.TakesFollowedTablesEvents"/>) renews its subscription, and its list of present players
/// (<paramref name="presence"/>), with every batch it takes, so it need not refresh a table that delivers to it; and one
/// that answers that it does not follow the table is dropped, unless it subscribed again after that batch left.
/// Runs on the grain's scheduler.
/// </summary>
internal sealed partial class EdgeSubscribers(string roomId, GameOptions options, EdgeDeliveries deliveries, TimeProvider time, ILogger logger,
    SeatPresence? presence = null)
{
    private const int MaxBatch = 256;
    private const int MaxConsecutiveFailures = 3;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly Dictionary<string, Subscription> _edges = [];
    private readonly List<Subscription> _publishing = [];

    public int Count => _edges.Count;

    /// <summary>Connections watching the table, summed over the subscribed edges.</summary>
    public int Spectators
    {
        get
        {
            var sum = 0;
            foreach (var edge in _edges.Values)
            {
                sum += edge.Spectators;
            }

            return sum;
        }
    }

    /// <summary>
    /// Subscribes or refreshes <paramref name="edgeId"/>. An edge not subscribed here yet first gets
    /// <paramref name="missed"/> (the remembered events after the last one it says it passed on): an activation that
    /// started without its predecessor's memory, or that dropped the edge, published them to nobody.
    /// <paramref name="takesTablesEvents"/>: the edge said it takes several tables' batches in one call
    /// (<see cref="ITableObserver.TakesTablesEvents"/>); <paramref name="renewedByDeliveries"/>: it takes
    /// <see cref="ITableObserver.OnFollowedTablesEvents"/>, so each batch it takes renews the subscription.
    /// </summary>
    public void Subscribe(string edgeId, ITableObserver observer, int spectators, IEnumerable<TableNotification>? missed = null, bool listsPlayers = false,
        bool takesTablesEvents = false, bool renewedByDeliveries = false)
    {
        if (_edges.TryGetValue(edgeId, out var existing))
        {
            // A refresh through the same observer keeps the reference the table holds: replacing it with the call's own
            // copy on every refresh left one dead object per table and edge each time, promoted before it died.
            if (!Equals(existing.Observer, observer))
            {
                // A new way to reach the edge starts with a clean slate: the old one's failures say nothing of it.
                existing.Failures = 0;
                existing.Observer = deliveries.Share(existing.EdgeId, observer).Observer;
            }

            existing.RefreshedAt = time.GetUtcNow();
            existing.Spectators = spectators;
            existing.ListsPlayers = listsPlayers;
            existing.TakesTablesEvents = takesTablesEvents;
            existing.RenewedByDeliveries = renewedByDeliveries;
            existing.Subscribes++;
            return;
        }

        var shared = deliveries.Share(edgeId, observer);
        var edge = new Subscription(shared.EdgeId, shared.Observer, time.GetUtcNow())
        {
            Spectators = spectators,
            ListsPlayers = listsPlayers,
            TakesTablesEvents = takesTablesEvents,
            RenewedByDeliveries = renewedByDeliveries,
        };
        foreach (var notification in missed ?? [])
        {
            edge.Queue.Enqueue(notification);
        }

        _edges[edge.EdgeId] = edge;
        LogSubscribed(logger, roomId, edgeId, edge.Queue.Count);
        if (edge.Queue.Count > 0)
        {
            StartPump(edge);
        }
    }

    public void Unsubscribe(string edgeId) => _edges.Remove(edgeId);

    /// <summary>
    /// Whether an edge of the previous version, which lists no present players (<see cref="SeatPresence"/>), follows
    /// the table: its players' connections are reported through their player grains.
    /// </summary>
    public bool HasUnlistedFollowers
    {
        get
        {
            var expiredBefore = time.GetUtcNow() - options.SubscriptionLifetime;
            return _edges.Values.Any(e => !e.ListsPlayers && e.RefreshedAt >= expiredBefore);
        }
    }

    /// <summary>Waits (at most <paramref name="timeout"/>) until every queued batch has been delivered or given up.</summary>
    public async Task FlushAsync(TimeSpan timeout)
    {
        var pumps = _edges.Values.Select(e => e.Pump).Where(p => p is { IsCompleted: false }).Cast<Task>().ToList();
        try
        {
            await Task.WhenAll(pumps).WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            // What is still queued, the batch in flight included, travels with the table (Export) and is sent again.
        }
    }

    /// <summary>
    /// Hands the subscriptions over to the table's next activation (live migration) and stops delivering here:
    /// each edge with its observer, refresh time, undelivered events and spectator count.
    /// </summary>
    public ImmutableArray<EdgeSubscription> Export()
    {
        var exported = _edges.Values
            .Select(e => new EdgeSubscription(e.EdgeId, e.Observer, e.RefreshedAt, [.. e.Queue], e.Spectators, e.ListsPlayers, e.TakesTablesEvents,
                e.RenewedByDeliveries))
            .ToImmutableArray();
        _edges.Clear();
        return exported;
    }

    /// <summary>Takes over subscriptions exported by the table's previous activation and delivers what they had queued.</summary>
    public void Import(IEnumerable<EdgeSubscription> subscriptions)
    {
        foreach (var imported in subscriptions)
        {
            var shared = deliveries.Share(imported.EdgeId, imported.Observer);
            var edge = new Subscription(shared.EdgeId, shared.Observer, imported.RefreshedAt)
            {
                Spectators = imported.Spectators,
                ListsPlayers = imported.ListsPlayers,
                TakesTablesEvents = imported.TakesTablesEvents,
                RenewedByDeliveries = imported.RenewedByDeliveries,
            };
            foreach (var notification in imported.Queued)
            {
                edge.Queue.Enqueue(notification);
            }

            _edges[edge.EdgeId] = edge;
            if (edge.Queue.Count > 0)
            {
                StartPump(edge);
            }
        }
    }

    /// <summary>
    /// Queues <paramref name="notifications"/> for every subscribed edge and starts its delivery. The edge
    /// <paramref name="answering"/> (the one whose move published them, when it asked for them with the answer,
    /// <see cref="ITableGrain.EventsWithAnswer"/>) gets none of them through its observer when nothing is queued for it:
    /// everything before them has been delivered, so they go with the answer, in order, and the answer says so (true).
    /// With something still queued they are queued behind it as for any edge (false), and the answer carries none.
    /// </summary>
    public bool Publish(IReadOnlyList<TableNotification> notifications, string? answering = null)
    {
        if (notifications.Count == 0)
        {
            return false;
        }

        var answered = false;

        var expiredBefore = time.GetUtcNow() - options.SubscriptionLifetime;
        // A copy, since dropping an edge (or a pump failing at once) changes the subscriptions: into a list kept for
        // it, not a new one on every publish.
        _publishing.Clear();
        _publishing.AddRange(_edges.Values);
        foreach (var edge in _publishing)
        {
            if (edge.RefreshedAt < expiredBefore)
            {
                Drop(edge, "subscription expired");
                continue;
            }

            if (!answered && edge.Queue.Count == 0 && !edge.Sending && string.Equals(edge.EdgeId, answering, StringComparison.Ordinal))
            {
                // The answer carries them: nothing of this edge's is in flight or waiting, so none can overtake them here
                // (the edge orders what its observer brings after them by seq, fetching what it finds missing).
                answered = true;
                continue;
            }

            foreach (var notification in notifications)
            {
                edge.Queue.Enqueue(notification);
            }

            // A pump already running sends these too: under the trace of the move that published them, not of the
            // move whose batch it was sending when they came. Its context, not its span: that span has usually ended by
            // the time the batch goes, and a span that has ended cannot be made current again.
            edge.Publisher = System.Diagnostics.Activity.Current?.Context;

            if (edge.Queue.Count > options.MaxQueuedEventsPerEdge)
            {
                Drop(edge, "too far behind");
                continue;
            }

            if (!edge.Sending)
            {
                // Deliberately not awaited: the pump runs on the grain's scheduler between turns.
                StartPump(edge);
            }
        }

        _publishing.Clear();
        return answered;
    }

    /// <summary>
    /// Starts the edge's delivery loop; <see cref="Subscription.Pump"/> holds it only while it runs (a finished loop's
    /// task, kept by every idle table for each edge, was about 0.14 KiB each).
    /// </summary>
    private void StartPump(Subscription edge)
    {
        var pump = PumpAsync(edge);
        edge.Pump = pump.IsCompleted ? null : pump;
    }

    /// <summary>
    /// Sends the edge its queue, one batch at a time. A batch leaves the queue only once the edge has taken it: a failed
    /// delivery is sent again (the edge drops what it already has by <c>seq</c>), and a batch still in flight when the
    /// table migrates travels in <see cref="Export"/> and goes out again from the next activation.
    /// </summary>
    private async Task PumpAsync(Subscription edge)
    {
        edge.Sending = true;
        try
        {
            while (edge.Queue.Count > 0 && _edges.TryGetValue(edge.EdgeId, out var current) && current == edge)
            {
                var batch = edge.Queue.Count <= MaxBatch ? new List<TableNotification>(edge.Queue) : edge.Queue.Take(MaxBatch).ToList();
                using var delivery = edge.Publisher is { } publisher
                    ? GameTracing.Source.StartActivity("table.deliver", System.Diagnostics.ActivityKind.Internal, publisher)
                    : null;
                var observer = edge.Observer;
                var renews = edge.RenewedByDeliveries;
                var subscribes = edge.Subscribes;
                try
                {
                    // With the other tables' batches for this edge when one is in flight (the silo's EdgeDeliveries).
                    if (!renews)
                    {
                        await deliveries.SendAsync(observer, roomId, batch, edge.TakesTablesEvents);
                    }
                    else if (!await deliveries.SendFollowedAsync(observer, roomId, batch))
                    {
                        if (edge.Subscribes == subscribes)
                        {
                            // The edge no longer follows this table (its Unfollow was lost): it took nothing, and a
                            // subscription its deliveries renewed would otherwise never lapse.
                            Drop(edge, "the edge does not follow the table");
                            break;
                        }

                        // It subscribed again after this batch left (a refusal from before): the batch goes again.
                        continue;
                    }

                    edge.Failures = 0;
                    if (renews)
                    {
                        // Taken by an edge that refuses the tables it does not follow: as good as its refresh.
                        edge.RefreshedAt = time.GetUtcNow();
                        presence?.Renew(edge.EdgeId);
                    }

                    for (var i = 0; i < batch.Count && edge.Queue.TryPeek(out var head) && ReferenceEquals(head, batch[i]); i++)
                    {
                        edge.Queue.Dequeue();
                    }
                }
                catch (Exception ex) when (!Equals(observer, edge.Observer))
                {
                    // The edge subscribed again meanwhile with another observer (its route to this table changed: the
                    // old one is often its client for a silo that is stopping). That one has not failed: try it at once,
                    // or the failures of the old one would drop an edge that has just told us how to reach it.
                    LogObserverReplaced(logger, ex, roomId, edge.EdgeId);
                }
                catch (Exception ex)
                {
                    edge.Failures++;
                    LogDeliveryFailed(logger, ex, roomId, edge.EdgeId, edge.Failures);
                    if (edge.Failures >= MaxConsecutiveFailures)
                    {
                        Drop(edge, "delivery failed");
                        break;
                    }

                    // The batch stays queued and goes again shortly (or with the table, if it migrates meanwhile).
                    await Task.Delay(RetryDelay * edge.Failures, time);
                }
            }
        }
        finally
        {
            edge.Sending = false;
            edge.Pump = null;
        }
    }

    private void Drop(Subscription edge, string reason)
    {
        edge.Queue.Clear();
        if (_edges.TryGetValue(edge.EdgeId, out var current) && current == edge)
        {
            _edges.Remove(edge.EdgeId);
            LogDropped(logger, roomId, edge.EdgeId, reason);
        }
    }

    private sealed class Subscription(string edgeId, ITableObserver observer, DateTimeOffset refreshedAt)
    {
        public string EdgeId { get; } = edgeId;

        public ITableObserver Observer { get; set; } = observer;

        public DateTimeOffset RefreshedAt { get; set; } = refreshedAt;

        public Queue<TableNotification> Queue { get; } = new();

        public bool Sending { get; set; }

        /// <summary>The context of the span that queued the newest events (null when nobody traces).</summary>
        public System.Diagnostics.ActivityContext? Publisher { get; set; }

        public int Failures { get; set; }

        public int Spectators { get; set; }

        /// <summary>Whether the edge lists its present players when it subscribes (<see cref="SeatPresence"/>).</summary>
        public bool ListsPlayers { get; set; }

        /// <summary>Whether the edge takes several tables' batches in one call (<see cref="ITableObserver.OnTablesEvents"/>).</summary>
        public bool TakesTablesEvents { get; set; }

        /// <summary>Whether the edge takes <see cref="ITableObserver.OnFollowedTablesEvents"/>: each batch it takes renews the subscription.</summary>
        public bool RenewedByDeliveries { get; set; }

        /// <summary>Subscribe calls since the first: a refusal of a batch sent before the latest one is stale.</summary>
        public int Subscribes { get; set; }

        /// <summary>The delivery loop running for this edge, if any (null once it has ended).</summary>
        public Task? Pump { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Edge {EdgeId} subscribed to table {RoomId}; {Missed} events it missed sent first")]
    private static partial void LogSubscribed(ILogger logger, string roomId, string edgeId, int missed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery of table {RoomId} events to edge {EdgeId} failed ({Failures} in a row)")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, string roomId, string edgeId, int failures);

    [LoggerMessage(Level = LogLevel.Information, Message = "Delivery of table {RoomId} events to edge {EdgeId} failed through an observer the edge has replaced since; sending through the new one")]
    private static partial void LogObserverReplaced(ILogger logger, Exception exception, string roomId, string edgeId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Table {RoomId} dropped edge {EdgeId}: {Reason}")]
    private static partial void LogDropped(ILogger logger, string roomId, string edgeId, string reason);
}

using System.Diagnostics;
using System.Threading.Channels;
using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using CardGame.Edge.Observability;
using Microsoft.Extensions.Options;

namespace CardGame.Edge.Delivery;

/// <summary>
/// This edge's <see cref="ITableObserver"/>. A table sends it each batch in <c>seq</c> order and waits for the call:
/// it only enqueues, so a table never waits on clients. One loop then hands each event to the players the table names
/// as its recipients (not to any seating of the edge's own; their seats are the table's word, <see cref="TableSeats"/>),
/// as each recipient may see it
/// (<see cref="TableNotification.ForRecipient"/>; each form encoded once per transport however many get it), to every
/// local connection of every recipient, in order; and its public
/// form (<see cref="TableNotification.ForSpectator"/>), encoded once per transport however many watch, to every local
/// connection watching the room that is not a recipient's. Tables deliver at least once: an event seen before (by <c>seq</c>) is dropped. The queue between the two
/// is bounded (<see cref="EdgeOptions.MaxQueuedTableEvents"/>): an edge that falls that far behind refuses the next
/// batch (a batch that finds the queue empty is always taken, so the missed events a table resends first to an edge
/// that subscribes again, up to 32, are never refused forever by a bound smaller than them), and the table, seeing its deliveries fail, drops the edge as it does any edge that stops answering; the edge
/// subscribes again at its next refresh and its clients resync with Resume.
/// </summary>
public sealed partial class TableEventFanOut(LocalPlayers players, TableSeats seats, LocalSpectators spectators, IOptions<EdgeOptions> options,
    ILogger<TableEventFanOut> logger) : BackgroundService, ITableObserver
{
    private readonly TableEventSeqFilter _seen = new();
    private readonly Channel<(string RoomId, IReadOnlyList<TableNotification> Notifications, ActivityContext Trace)> _batches =
        Channel.CreateUnbounded<(string, IReadOnlyList<TableNotification>, ActivityContext)>(new UnboundedChannelOptions { SingleReader = true });

    private readonly int _maxQueued = options.Value.MaxQueuedTableEvents;
    private int _queued;
    private int _peakQueued;
    private long _refused;

    /// <summary>Events accepted from tables and not yet handed to connections.</summary>
    public int QueuedEvents => Volatile.Read(ref _queued);

    /// <summary>The most events ever queued at once.</summary>
    public int PeakQueuedEvents => Volatile.Read(ref _peakQueued);

    /// <summary>Batches refused because the queue was full.</summary>
    public long RefusedBatches => Interlocked.Read(ref _refused);

    /// <summary>Awaited before each batch is delivered; tests hold it to play an edge too slow to keep up.</summary>
    internal Func<Task>? BeforeDelivery { get; set; }

    /// <summary>The last <c>seq</c> of <paramref name="roomId"/> passed on here, or null when none is remembered.</summary>
    public long? LastSeq(string roomId) => _seen.LastSeq(roomId);

    public Task OnTableEvents(string roomId, IReadOnlyList<TableNotification> notifications)
    {
        var queued = Interlocked.Add(ref _queued, notifications.Count);
        if (queued > _maxQueued && queued > notifications.Count)
        {
            // Refused, not queued: the table counts a failed delivery (and may send it again); nothing of it is kept here.
            Interlocked.Add(ref _queued, -notifications.Count);
            Interlocked.Increment(ref _refused);
            LogRefused(logger, roomId, notifications.Count, queued - notifications.Count);
            return Task.FromException(new InvalidOperationException(
                $"edge behind: {queued - notifications.Count} table events queued, at most {_maxQueued}"));
        }

        InterlockedMax(ref _peakQueued, queued);
        // The batch is delivered later by the loop below: keep the trace it came with (when anyone traces).
        var trace = EdgeTracing.Source.HasListeners() ? EdgeTracing.IncomingContext() : default;
        _batches.Writer.TryWrite((roomId, notifications, trace));
        return Task.CompletedTask;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var (roomId, notifications, trace) in _batches.Reader.ReadAllAsync(stoppingToken))
        {
            if (BeforeDelivery is { } gate)
            {
                await gate();
            }

            Interlocked.Add(ref _queued, -notifications.Count);
            using var deliver = EdgeTracing.Source.StartActivity("edge.deliver", ActivityKind.Internal, trace);
            deliver?.SetTag("cardgame.room_id", roomId);
            deliver?.SetTag("cardgame.events", notifications.Count);
            // Tables send again a batch whose delivery failed (it may have arrived): each event goes out once, in order.
            foreach (var notification in _seen.Fresh(roomId, notifications))
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
            var prepared = first is not null && first.Event.Equals(personal) ? first : forms?.Find(f => f.Event.Equals(personal));
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

            foreach (var connection in connections)
            {
                connection.Outbox.Post(prepared);
            }
        }

        var watchers = spectators.WatchersOf(roomId);
        if (watchers.Count == 0)
        {
            return;
        }

        // One public form for every watcher, encoded once per edge and transport (not once per spectator).
        var forSpectators = new PreparedEvent<TableEvent>(notification.ForSpectator());
        foreach (var watcher in watchers)
        {
            // A seated player watching their own table already has the event, with their own cards.
            if (!notification.Recipients.Contains(watcher.PlayerId))
            {
                watcher.Outbox.Post(forSpectators);
            }
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current && Interlocked.CompareExchange(ref target, value, current) is var seen && seen != current)
        {
            current = seen;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a batch of {Count} events of room {RoomId}: {Queued} table events are queued on this edge already")]
    private static partial void LogRefused(ILogger logger, string roomId, int count, int queued);

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivering event {Seq} of room {RoomId} failed")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, string roomId, long seq);
}

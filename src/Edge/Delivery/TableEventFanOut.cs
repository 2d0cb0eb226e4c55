using System.Diagnostics;
using System.Threading.Channels;
using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using CardGame.Edge.Observability;

namespace CardGame.Edge.Delivery;

/// <summary>
/// This edge's <see cref="ITableObserver"/>. A table sends it each batch in <c>seq</c> order and waits for the call:
/// it only enqueues, so a table never waits on clients. One loop then hands each event to the players the table names
/// as its recipients (not to any seating of the edge's own; their seats are the table's word, <see cref="TableSeats"/>),
/// as each recipient may see it
/// (<see cref="TableNotification.ForRecipient"/>), to every local connection of every recipient, in order; and its public
/// form (<see cref="TableNotification.ForSpectator"/>) to every local connection watching the room that is not a
/// recipient's. Tables deliver at least once: an event seen before (by <c>seq</c>) is dropped.
/// </summary>
public sealed partial class TableEventFanOut(LocalPlayers players, TableSeats seats, LocalSpectators spectators, ILogger<TableEventFanOut> logger) : BackgroundService, ITableObserver
{
    private readonly TableEventSeqFilter _seen = new();
    private readonly Channel<(string RoomId, IReadOnlyList<TableNotification> Notifications, ActivityContext Trace)> _batches =
        Channel.CreateUnbounded<(string, IReadOnlyList<TableNotification>, ActivityContext)>(new UnboundedChannelOptions { SingleReader = true });

    public Task OnTableEvents(string roomId, IReadOnlyList<TableNotification> notifications)
    {
        // The batch is delivered later by the loop below: keep the trace it came with (when anyone traces).
        var trace = EdgeTracing.Source.HasListeners() ? EdgeTracing.IncomingContext() : default;
        _batches.Writer.TryWrite((roomId, notifications, trace));
        return Task.CompletedTask;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var (roomId, notifications, trace) in _batches.Reader.ReadAllAsync(stoppingToken))
        {
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

        foreach (var recipient in notification.Recipients.Distinct())
        {
            var connections = players.ConnectionsOf(recipient);
            if (connections.Count == 0)
            {
                continue;
            }

            var personal = notification.ForRecipient(recipient);
            foreach (var connection in connections)
            {
                connection.Outbox.Post(personal);
            }
        }

        var watchers = spectators.WatchersOf(roomId);
        if (watchers.Count == 0)
        {
            return;
        }

        var forSpectators = notification.ForSpectator();
        foreach (var watcher in watchers)
        {
            // A seated player watching their own table already has the event, with their own cards.
            if (!notification.Recipients.Contains(watcher.PlayerId))
            {
                watcher.Outbox.Post(forSpectators);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivering event {Seq} of room {RoomId} failed")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, string roomId, long seq);
}

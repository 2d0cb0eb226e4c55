using System.Collections.Immutable;
using Orleans.CodeGeneration;

namespace CardGame.Contracts.Grains;

/// <summary>
/// Implemented by each edge node, once per node (not per player): a table sends each subscribed edge its events
/// in <c>seq</c> order, one batch at a time, and the edge fans them out to its local connections. Delivery is at least
/// once: a batch whose call failed is sent again (after a migration, by the table's next activation), so an observer
/// drops what it has had already (<see cref="TableEventSequencer"/>).
/// Observers are not durable: edges re-subscribe periodically (<see cref="ITableGrain.Subscribe"/>), and an edge that
/// takes <see cref="OnFollowedTablesEvents"/> only those tables that delivered nothing to it through it for a period.
/// </summary>
[Alias("cardgame.ITableObserver")]
[Version(3)]
public interface ITableObserver : IGrainObserver
{
    /// <summary>
    /// The <c>RequestContext</c> key an edge sets (to <c>true</c>) on its subscription calls when it takes
    /// <see cref="OnTablesEvents"/>. An edge of an earlier version does not set it and gets only
    /// <see cref="OnTableEvents"/>; a silo of an earlier version ignores it.
    /// </summary>
    const string TakesTablesEvents = "cardgame.tables-events";

    /// <summary>
    /// The <c>RequestContext</c> key an edge sets (to <c>true</c>) on its subscription calls when it takes
    /// <see cref="OnFollowedTablesEvents"/>: it refuses the batches of tables it does not follow, so a table may count
    /// each batch the edge takes as a refresh of its subscription. An edge of an earlier version does not set it, gets
    /// the calls above and renews by refreshing only; a silo of an earlier version ignores it (and sends the calls above,
    /// which renew nothing, so the edge goes on refreshing that table).
    /// </summary>
    const string TakesFollowedTablesEvents = "cardgame.followed-tables-events";

    /// <summary>
    /// One table's batch. The list is <c>[Immutable]</c>: a silo never changes a list it has sent (its notifications are
    /// immutable records), so Orleans passes it on without copying it first.
    /// </summary>
    [Alias("OnTableEvents")]
    Task OnTableEvents(string roomId, [Immutable] IReadOnlyList<TableNotification> notifications);

    /// <summary>
    /// Several tables' batches in one call (version 2): each handled as <see cref="OnTableEvents"/> would, in order. A
    /// silo sends it only to an edge that said it takes it (<see cref="TakesTablesEvents"/>), carrying the batches its
    /// tables queued for this edge while its previous call was in flight; the call fails or succeeds as a whole.
    /// </summary>
    [Alias("OnTablesEvents")]
    Task OnTablesEvents([Immutable] IReadOnlyList<TableEventBatch> batches);

    /// <summary>
    /// Several tables' batches (one or more; version 3), sent only to an edge that said it takes them
    /// (<see cref="TakesFollowedTablesEvents"/>): each batch of a table the edge follows is handled as
    /// <see cref="OnTableEvents"/> would; the answer names the rooms among them the edge does not follow (it took none of
    /// their events, and each such table drops the edge, as after a lost <see cref="ITableGrain.Unfollow"/>). Each batch
    /// taken this way renews the edge's subscription to its table, as a <see cref="ITableGrain.Follow"/> repeating the
    /// last one would, and the edge skips its refresh of a table that delivered so within the period. Fails as a whole
    /// when the edge is too far behind to take any.
    /// </summary>
    [Alias("OnFollowedTablesEvents")]
    Task<ImmutableArray<string>> OnFollowedTablesEvents([Immutable] IReadOnlyList<TableEventBatch> batches);
}

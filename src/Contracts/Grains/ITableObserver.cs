using Orleans.CodeGeneration;
namespace CardGame.Contracts.Grains;

/// <summary>
/// Implemented by each edge node, once per node (not per player): a table sends each subscribed edge its events
/// in <c>seq</c> order, one batch at a time, and the edge fans them out to its local connections. Delivery is at least
/// once: a batch whose call failed is sent again (after a migration, by the table's next activation), so an observer
/// drops what it has had already (<see cref="TableEventSequencer"/>).
/// Observers are not durable: edges re-subscribe periodically (<see cref="ITableGrain.Subscribe"/>).
/// </summary>
[Alias("cardgame.ITableObserver")]
[Version(1)]
public interface ITableObserver : IGrainObserver
{
    [Alias("OnTableEvents")]
    Task OnTableEvents(string roomId, IReadOnlyList<TableNotification> notifications);
}

namespace CardGame.Contracts.Grains;

/// <summary>
/// One table's batch of events inside a call that carries several tables' batches to one edge
/// (<see cref="ITableObserver.OnTablesEvents"/>): the edge handles it as it would <see cref="ITableObserver.OnTableEvents"/>
/// with the same room and events. <see cref="TraceParent"/> is the W3C trace context of the table's delivery span
/// (null when nobody traces), so the edge delivers each batch in the trace of the move that published it.
/// </summary>
[GenerateSerializer, Immutable, Alias("cardgame.TableEventBatch")]
public sealed record TableEventBatch(
    [property: Id(0)] string RoomId,
    [property: Id(1)] IReadOnlyList<TableNotification> Notifications,
    [property: Id(2)] string? TraceParent = null);

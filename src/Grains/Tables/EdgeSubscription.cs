using CardGame.Contracts.Grains;

namespace CardGame.Grains;

/// <summary>One edge's subscription to a table as it travels with the table to another silo (live migration).</summary>
[GenerateSerializer, Immutable, Alias("cardgame.EdgeSubscription")]
public sealed record EdgeSubscription(
    [property: Id(0)] string EdgeId,
    [property: Id(1)] ITableObserver Observer,
    [property: Id(2)] DateTimeOffset RefreshedAt,
    [property: Id(3)] ImmutableArray<TableNotification> Queued,
    [property: Id(4)] int Spectators = 0,
    [property: Id(5)] bool ListsPlayers = false,
    [property: Id(6)] bool TakesTablesEvents = false,
    [property: Id(7)] bool RenewedByDeliveries = false);

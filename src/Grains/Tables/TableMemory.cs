using CardGame.Contracts.Grains;

namespace CardGame.Grains;

/// <summary>
/// What a table holds in memory besides its persisted <see cref="TableState"/>, carried to the table's next activation
/// when it migrates (a silo stopping gracefully, or the rebalancer moving it), so players notice nothing: the resume
/// log, the edge subscriptions and the edges' lists of present players. Timers need nothing here: they are re-armed from the state. Silos of two versions
/// exchange this record during a rolling upgrade, so members are only ever appended.
/// </summary>
[GenerateSerializer, Immutable, Alias("cardgame.TableMemory")]
public sealed record TableMemory(
    [property: Id(0)] ImmutableArray<TableNotification> Log,
    [property: Id(1)] ImmutableArray<EdgeSubscription> Edges,
    [property: Id(2)] ImmutableArray<PresenceList> Presence = default);

using CardGame.Contracts.Grains;

namespace CardGame.Grains;

/// <summary>
/// What a table holds in memory besides its persisted <see cref="TableState"/>, carried to the table's next activation
/// when it migrates (a silo stopping gracefully, or the rebalancer moving it), so players notice nothing: the resume
/// log, the edge subscriptions and the edges' lists of present players. Timers need nothing here: they are re-armed from the state. Silos of two versions
/// exchange this record during a rolling upgrade, so members are only ever appended.
/// The resume log travels as <see cref="CompactLog"/> (<see cref="TableEventLog.Export"/>), with <see cref="Log"/> empty;
/// a table from a version before it brings <see cref="Log"/> instead. A version before it that receives a table from
/// this one ignores <see cref="CompactLog"/>: the table arrives without its log, as after a reload from storage
/// (<c>Resume</c> answers with a view, an edge's gap reaches its clients, who resync), and nothing is lost.
/// </summary>
[GenerateSerializer, Immutable, Alias("cardgame.TableMemory")]
public sealed record TableMemory(
    [property: Id(0)] ImmutableArray<TableNotification> Log,
    [property: Id(1)] ImmutableArray<EdgeSubscription> Edges,
    [property: Id(2)] ImmutableArray<PresenceList> Presence = default,
    [property: Id(3)] byte[]? CompactLog = null);

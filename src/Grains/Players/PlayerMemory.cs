namespace CardGame.Grains;

/// <summary>
/// What a player grain holds in memory, carried to its next activation when it migrates (graceful silo stop): each
/// edge's connection count with when it was reported, and whether the table was last told the player is connected.
/// Members are only ever appended (silos of two versions exchange it during a rolling upgrade).
/// </summary>
[GenerateSerializer, Immutable, Alias("cardgame.PlayerMemory")]
public sealed record PlayerMemory(
    [property: Id(0)] ImmutableArray<ConnectionLease> Leases,
    [property: Id(1)] bool Connected);

namespace CardGame.Contracts.Protocol;

/// <summary>
/// One event of a room, as a client receives it. Fields that do not apply are null.
/// <see cref="Seq"/> increases by exactly one with every event of a room. <see cref="Name"/> is the joiner's display
/// name in <c>joined</c>; <see cref="TurnEndsAt"/> is when the player to move will be timed out (null when no game is on).
/// <see cref="DeckCommitment"/> (in <c>started</c>) and <see cref="DeckSeed"/> (in <c>finished</c>) are the fair shuffle's commit
/// and reveal (docs/fair-shuffle.md).
/// </summary>
[GenerateSerializer, Immutable, Alias("cardgame.TableEvent")]
public sealed record TableEvent(
    [property: Id(0)] string RoomId,
    [property: Id(1)] long Seq,
    [property: Id(2)] string Kind,
    [property: Id(3)] string? PlayerId,
    [property: Id(4)] string? Card = null,
    [property: Id(5)] string? Suit = null,
    [property: Id(6)] int? HandCount = null,
    [property: Id(7)] string? Turn = null,
    [property: Id(8)] string? Winner = null,
    [property: Id(9)] bool? Auto = null,
    [property: Id(10)] bool? Connected = null,
    [property: Id(11)] IReadOnlyList<string>? Hand = null,
    [property: Id(12)] string? Name = null,
    [property: Id(13)] DateTimeOffset? TurnEndsAt = null,
    [property: Id(14)] string? DeckCommitment = null,
    [property: Id(15)] string? DeckSeed = null);

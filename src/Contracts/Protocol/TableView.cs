namespace CardGame.Contracts.Protocol;

/// <summary>
/// A table as one player sees it, at <see cref="Seq"/>. <see cref="Hand"/> holds the caller's own cards only;
/// <see cref="Suit"/> is the suit to follow (the declared suit after an 8). <see cref="TurnEndsAt"/> is when the player to
/// move will be timed out (null when no game is on); <see cref="Spectators"/> counts the connections watching the room.
/// <see cref="DeckCommitment"/> is the commitment to the current deal's seed while a game is played (docs/fair-shuffle.md).
/// </summary>
[GenerateSerializer, Immutable, Alias("cardgame.TableView")]
public sealed record TableView(
    [property: Id(0)] string RoomId,
    [property: Id(1)] string Name,
    [property: Id(2)] long Seq,
    [property: Id(3)] string Phase,
    [property: Id(4)] int Seats,
    [property: Id(5)] IReadOnlyList<PlayerView> Players,
    [property: Id(6)] string? Turn,
    [property: Id(7)] string? TopCard,
    [property: Id(8)] string? Suit,
    [property: Id(9)] int StockCount,
    [property: Id(10)] IReadOnlyList<string>? Hand,
    [property: Id(11)] string? Winner,
    [property: Id(12)] DateTimeOffset? TurnEndsAt = null,
    [property: Id(13)] int Spectators = 0,
    [property: Id(14)] string? DeckCommitment = null);

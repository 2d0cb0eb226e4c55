namespace CardGame.Contracts.Grains;

/// <summary>A player's record; <see cref="RoomId"/> is the room whose table confirmed the player sits there, or null.</summary>
[GenerateSerializer, Immutable, Alias("cardgame.PlayerStats")]
public sealed record PlayerStats(
    [property: Id(0)] string PlayerId,
    [property: Id(1)] string Name,
    [property: Id(2)] string? RoomId,
    [property: Id(3)] int GamesPlayed,
    [property: Id(4)] int GamesWon);

namespace CardGame.Contracts.Protocol;

/// <summary>The result of <c>Authenticate</c>: who the connection is, and the room it is seated at (or null).</summary>
[GenerateSerializer, Immutable, Alias("cardgame.Welcome")]
public sealed record Welcome(
    [property: Id(0)] string PlayerId,
    [property: Id(1)] string Name,
    [property: Id(2)] string? RoomId);

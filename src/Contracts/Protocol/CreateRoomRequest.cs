namespace CardGame.Contracts.Protocol;

/// <summary>The argument of <c>CreateRoom</c>. <see cref="Seats"/> is 2–6 (default 4); <see cref="Name"/> 1–40 characters.</summary>
[GenerateSerializer, Immutable, Alias("cardgame.CreateRoomRequest")]
public sealed record CreateRoomRequest(
    [property: Id(0)] string? Name,
    [property: Id(1)] int? Seats);

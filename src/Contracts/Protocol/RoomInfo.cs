namespace CardGame.Contracts.Protocol;

/// <summary>One entry of the room list.</summary>
[GenerateSerializer, Immutable, Alias("cardgame.RoomInfo")]
public sealed record RoomInfo(
    [property: Id(0)] string RoomId,
    [property: Id(1)] string Name,
    [property: Id(2)] int Seats,
    [property: Id(3)] int Players,
    [property: Id(4)] string Phase);

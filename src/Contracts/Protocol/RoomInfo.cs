namespace CardGame.Contracts.Protocol;

/// <summary>One entry of the room list. <see cref="Spectators"/> counts the connections watching the room.</summary>
[GenerateSerializer, Immutable, Alias("cardgame.RoomInfo")]
public sealed record RoomInfo(
    [property: Id(0)] string RoomId,
    [property: Id(1)] string Name,
    [property: Id(2)] int Seats,
    [property: Id(3)] int Players,
    [property: Id(4)] string Phase,
    [property: Id(5)] int Spectators = 0);

namespace CardGame.Contracts.Protocol;

/// <summary>A change of the room list, sent to connections watching the lobby: <see cref="Kind"/> is one of <see cref="LobbyEventKinds"/>.</summary>
[GenerateSerializer, Immutable, Alias("cardgame.LobbyEvent")]
public sealed record LobbyEvent(
    [property: Id(0)] string Kind,
    [property: Id(1)] RoomInfo Room);

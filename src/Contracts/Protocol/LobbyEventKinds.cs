namespace CardGame.Contracts.Protocol;

/// <summary>The <see cref="LobbyEvent.Kind"/> values of the wire contract.</summary>
public static class LobbyEventKinds
{
    public const string RoomAdded = "room_added";
    public const string RoomChanged = "room_changed";
    public const string RoomRemoved = "room_removed";
}

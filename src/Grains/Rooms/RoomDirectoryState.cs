using CardGame.Contracts.Protocol;

namespace CardGame.Grains;

/// <summary>The persisted room list.</summary>
public sealed class RoomDirectoryState
{
    public Dictionary<string, RoomInfo> Rooms { get; set; } = [];
}

namespace CardGame.Grains;

/// <summary>What a player grain persists (System.Text.Json; only ever add properties).</summary>
public sealed class PlayerState
{
    public string Name { get; set; } = "";

    /// <summary>
    /// A pointer, not a record of the seat: the one room whose table may seat this player (written before the player
    /// joins it), or null. Only that table says whether the player sits there, and it is asked every time it matters.
    /// </summary>
    public string? RoomId { get; set; }

    public int GamesPlayed { get; set; }

    public int GamesWon { get; set; }

    /// <summary>When the record was last written; storage expires it <c>Game:PlayerRetentionDays</c> after that. Null in records stored before it existed.</summary>
    public DateTimeOffset? WrittenAt { get; set; }

    /// <summary>
    /// Rooms this player created that nobody had joined when last checked (at most <c>Game:MaxUnjoinedRoomsPerPlayer</c>);
    /// checked with their tables before another room is created.
    /// </summary>
    public List<string> UnjoinedRooms { get; set; } = [];
}

namespace CardGame.Grains;

/// <summary>What a player grain persists (System.Text.Json; only ever add properties).</summary>
public sealed class PlayerState
{
    public string Name { get; set; } = "";

    /// <summary>The room the player is seated at, as far as this grain knows; checked with the table when it matters.</summary>
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

namespace CardGame.LoadTest.Checking;

/// <summary>The checks the load tool counts besides violations (<see cref="Violations.Checks"/>).</summary>
public static class CheckNames
{
    /// <summary>A finished game whose shuffle this client verified (docs/fair-shuffle.md).</summary>
    public const string ShuffleVerified = "shuffle_verified";

    /// <summary>
    /// A finished game this client could not verify, which is no violation: it adopted a whole view during the game (so
    /// it lacks events), or the game had no commitment (dealt by a server before the fair shuffle).
    /// </summary>
    public const string ShuffleNotCheckable = "shuffle_not_checkable";

    /// <summary>A player found still seated at the end of the run, the server's view of its table (its hand included) equal to what its events built.</summary>
    public const string SeatedAtEnd = "seated_at_end";
}

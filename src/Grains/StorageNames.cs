namespace CardGame.Grains;

/// <summary>The names of the grain storage providers the silo must register.</summary>
public static class StorageNames
{
    /// <summary>Tables; a closed room's record is deleted.</summary>
    public const string Tables = "tables";

    /// <summary>
    /// Player records, which expire <see cref="GameOptions.PlayerRetentionDays"/> after their last write. Same Redis
    /// keys as when they were in <see cref="Tables"/>: the provider's name is not part of a key.
    /// </summary>
    public const string Players = "players";
}

namespace CardGame.Grains;

/// <summary>The names of the grain storage providers the silo must register.</summary>
public static class StorageNames
{
    /// <summary>Tables, players and the room directory.</summary>
    public const string Tables = "tables";
}

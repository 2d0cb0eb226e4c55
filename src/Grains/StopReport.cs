namespace CardGame.Grains;

/// <summary>What a silo's graceful stop moved (<see cref="ShutdownMigration.LastStop"/>): tables and players started and gone, and when.</summary>
public sealed record StopReport(int TablesMoved, int Tables, int PlayersMoved, int Players, long TablesMilliseconds, long Milliseconds);

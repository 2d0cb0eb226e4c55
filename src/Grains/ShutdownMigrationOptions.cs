using System.ComponentModel.DataAnnotations;

namespace CardGame.Grains;

/// <summary>How a silo that stops gracefully hands its activations over (<see cref="ShutdownMigration"/>), section <c>Silo:Shutdown</c>.</summary>
public sealed class ShutdownMigrationOptions
{
    public const string SectionName = "Silo:Shutdown";

    /// <summary>
    /// Tables on their way to other silos at once; the next one starts as soon as one is active on its new silo. A call
    /// to a moving table waits for its batch only (Orleans sends the moves waiting for one silo as one batch). 0 moves
    /// every table at once. Default 4.
    /// </summary>
    [Range(0, 100_000)]
    public int TablesAtOnce { get; set; } = 4;

    /// <summary>Players on their way at once, after the tables (0: all at once). Default 64.</summary>
    [Range(0, 1_000_000)]
    public int PlayersAtOnce { get; set; } = 64;
}

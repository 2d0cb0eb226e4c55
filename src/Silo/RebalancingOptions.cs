using System.ComponentModel.DataAnnotations;

namespace CardGame.Silo;

/// <summary>
/// Moving existing grains onto emptier silos (Orleans' activation rebalancer), section <c>Silo:Rebalancing</c>. A
/// silo that joins a busy cluster gets its share of the existing tables and players by live migration, which carries
/// their memory (see <c>TableGrain.Migration</c>), so players notice nothing.
/// </summary>
public sealed class RebalancingOptions
{
    public const string SectionName = "Silo:Rebalancing";

    /// <summary>Rebalance at all. Default true. Set it the same on every silo.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Seconds between two rebalancing cycles (each compares the silos' activation counts and moves some from the
    /// fullest to the emptiest), and the wait after the first silo starts. At least 2 (twice Orleans' load-report
    /// period). Default 5.
    /// </summary>
    [Range(2, 3600)]
    public double CycleSeconds { get; set; } = 5;

    /// <summary>
    /// At most this many activations (tables, players) move from one silo to another in one cycle, so a new silo
    /// takes load in steps rather than in one burst: the tables moved in one cycle pause together, and batches of 100
    /// paused them for 1 to 2 s on a busy 2-core machine. Default 20.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxMovesPerCycle { get; set; } = 20;
}

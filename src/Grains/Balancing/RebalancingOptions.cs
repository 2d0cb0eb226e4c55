using System.ComponentModel.DataAnnotations;

namespace CardGame.Grains;

/// <summary>
/// Moving existing tables and players onto emptier silos (<see cref="ActivationBalancer"/>), section
/// <c>Silo:Rebalancing</c>. A silo that joins a busy cluster gets its share of the existing tables and players by live
/// migration, one at a time, which carries their memory (see <c>TableGrain.Migration</c>), so players notice nothing.
/// </summary>
public sealed class RebalancingOptions
{
    public const string SectionName = "Silo:Rebalancing";

    /// <summary>Rebalance at all. Default true. Set it the same on every silo.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Seconds between two rebalancing cycles (in each, every silo reports what it hosts and moves its surplus over
    /// the mean to the silos below it), and the wait after a silo starts. At least 2. Default 5.
    /// </summary>
    [Range(2, 3600)]
    public double CycleSeconds { get; set; } = 5;

    /// <summary>
    /// At most this many activations (tables first, then players) move off one silo in one cycle, one after another,
    /// so a new silo takes load in steps. Default 20.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxMovesPerCycle { get; set; } = 20;
}

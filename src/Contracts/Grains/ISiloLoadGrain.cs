using Orleans.CodeGeneration;

namespace CardGame.Contracts.Grains;

/// <summary>
/// Where the silos tell each other how many tables and players they host, so each can move its surplus to emptier silos
/// (the silos' rebalancing). Every silo reports once a cycle and gets back the latest report of every silo. Key 0.
/// </summary>
[Alias("cardgame.ISiloLoadGrain")]
[Version(1)]
public interface ISiloLoadGrain : IGrainWithIntegerKey
{
    /// <summary>Records this silo's load; returns the latest load reported by each silo (this one included).</summary>
    [Alias("Report")]
    Task<IReadOnlyList<SiloLoad>> Report(SiloLoad load);
}

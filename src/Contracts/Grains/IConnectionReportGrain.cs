using Orleans.CodeGeneration;

namespace CardGame.Contracts.Grains;

/// <summary>
/// A stateless worker (activations local to the silo the edge called) that takes an edge's connection counts for many
/// players in one call and hands each to its <see cref="IPlayerGrain"/> (<see cref="IPlayerGrain.SetConnections"/>):
/// an edge renews every local player's lease every 20 s, which one call per player made 2,500 calls a second from the
/// edges at 50,000 idle players. Key 0.
/// </summary>
[Alias("cardgame.IConnectionReportGrain")]
[Version(1)]
public interface IConnectionReportGrain : IGrainWithIntegerKey
{
    /// <summary>Reports each count to its player grain; returns how many of them failed (each is logged by the silo).</summary>
    [Alias("Report")]
    Task<int> Report(string edgeId, IReadOnlyList<ConnectionCount> counts);
}

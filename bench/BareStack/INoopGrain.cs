namespace CardGame.Bench.BareStack;

/// <summary>A grain that does nothing: the cost of one Orleans call from an edge to a silo and back.</summary>
[Alias("bench.INoopGrain")]
public interface INoopGrain : IGrainWithStringKey
{
    [Alias("Ping")]
    Task<long> Ping(long seq);
}

namespace CardGame.Bench.BareStack;

public sealed class NoopGrain : Grain, INoopGrain
{
    public Task<long> Ping(long seq) => Task.FromResult(seq);
}

namespace CardGame.LoadTest.Players;

/// <summary>
/// The bare-stack counterpart of a table: its seats take turns like players do (one move in flight per group), so the
/// bare stack runs at the same concurrency and pace as the game.
/// </summary>
public sealed class BareGroup(int index, TableGroup timing)
{
    private long _seq;

    public string Name { get; } = $"g{index}";

    public TableGroup Timing { get; } = timing;

    public List<BarePlayer> Players { get; } = [];

    public long NextSeq() => Interlocked.Increment(ref _seq);

    public BarePlayer After(int seat) => Players[(seat + 1) % Players.Count];
}

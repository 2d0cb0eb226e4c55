using CardGame.LoadTest.Players;

namespace CardGame.LoadTest.Running;

/// <summary>Decides when a player whose turn it is makes its move.</summary>
public interface IPacer
{
    void Request(IActor actor);

    /// <summary>Begins issuing moves at the configured pace (before this, requests wait).</summary>
    void Start();

    void Stop();

    /// <summary>At the end of the run: moves due but still not sent are misses (open loop).</summary>
    void Close(long now);

    /// <summary>Open loop only: how the schedule went.</summary>
    OpenLoopStats? Stats { get; }
}

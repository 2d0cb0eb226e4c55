using CardGame.LoadTest.Metrics;
using CardGame.LoadTest.Players;

namespace CardGame.LoadTest.Running;

/// <summary>Closed loop: each player moves its think time (±20 %) after its turn came.</summary>
public sealed class ClosedLoopPacer(TimeSpan think, int seed) : IPacer
{
    private readonly Random _random = new(seed);
    private readonly Lock _lock = new();

    public OpenLoopStats? Stats => null;

    public void Request(IActor actor)
    {
        double factor;
        lock (_lock)
        {
            factor = 0.8 + (0.4 * _random.NextDouble());
        }

        var delay = think * factor;
        _ = delay <= TimeSpan.Zero
            ? Task.Run(() => actor.ActAsync(Clock.Now))
            : Task.Delay(delay).ContinueWith(_ => actor.ActAsync(Clock.Now), TaskScheduler.Default).Unwrap();
    }

    public void Start()
    {
    }

    public void Stop()
    {
    }

    public void Close(long now)
    {
    }
}

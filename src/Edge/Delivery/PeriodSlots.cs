namespace CardGame.Edge.Delivery;

/// <summary>
/// Spreads work repeated for every key once a period (re-subscribing to every table, reporting every player's
/// connections) evenly over the period: each key has one of <see cref="Count"/> slots (a hash of the key), and each
/// tick of <see cref="Tick"/> does the keys of the next slot. Doing them all at once made a burst of thousands of
/// grain calls every period, which the moves of that moment queued behind (a latency spike of the fan-out's tail).
/// Every key is still done once a period, at the same point of it each time.
/// </summary>
public sealed class PeriodSlots
{
    /// <summary>Slots per period: a tick of 1 s for the connection report's 20 s, 0.5 s for the 10 s re-subscription.</summary>
    public const int Count = 20;

    private int _next;

    public PeriodSlots(TimeSpan period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(period, TimeSpan.Zero);
        Tick = period / Count;
    }

    /// <summary>Time between two slots.</summary>
    public TimeSpan Tick { get; }

    /// <summary>The slot of <paramref name="key"/>: the same every period (and in every process: FNV-1a, not the randomized string hash).</summary>
    public static int SlotOf(string key)
    {
        var hash = 2166136261u;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % Count);
    }

    /// <summary>The keys of <paramref name="keys"/> whose turn it is now; the next call takes the next slot.</summary>
    public IEnumerable<string> Next(IEnumerable<string> keys)
    {
        var slot = NextSlot();
        return keys.Where(key => SlotOf(key) == slot);
    }

    /// <summary>The slot whose turn it is now (its keys are those whose <see cref="SlotOf"/> it is); the next call takes the next slot.</summary>
    public int NextSlot()
    {
        var slot = _next;
        _next = (_next + 1) % Count;
        return slot;
    }
}

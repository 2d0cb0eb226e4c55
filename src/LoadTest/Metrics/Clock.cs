using System.Diagnostics;

namespace CardGame.LoadTest.Metrics;

/// <summary>Monotonic timestamps (<see cref="Stopwatch"/> ticks) and conversions.</summary>
public static class Clock
{
    public static long Now => Stopwatch.GetTimestamp();

    public static long Microseconds(long start, long end) => (end - start) * 1_000_000 / Stopwatch.Frequency;

    public static long FromSeconds(double seconds) => (long)(seconds * Stopwatch.Frequency);
}

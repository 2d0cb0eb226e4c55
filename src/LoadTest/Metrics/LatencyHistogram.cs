using HdrHistogram;

namespace CardGame.LoadTest.Metrics;

/// <summary>A thread-safe HDR histogram of latencies in microseconds (1 µs to 10 min, 3 significant digits).</summary>
public sealed class LatencyHistogram
{
    private const long Highest = 600_000_000;
    private readonly Lock _lock = new();
    private LongHistogram _histogram = new(1, Highest, 3);

    public void Record(long microseconds)
    {
        var value = Math.Clamp(microseconds, 1, Highest);
        lock (_lock)
        {
            _histogram.RecordValue(value);
        }
    }

    public void RecordElapsed(long startTimestamp, long endTimestamp) => Record(Clock.Microseconds(startTimestamp, endTimestamp));

    public void Reset()
    {
        lock (_lock)
        {
            _histogram = new LongHistogram(1, Highest, 3);
        }
    }

    public LatencySummary Summary()
    {
        lock (_lock)
        {
            var h = _histogram;
            return h.TotalCount == 0
                ? new LatencySummary(0, 0, 0, 0, 0, 0, 0)
                : new LatencySummary(
                    h.TotalCount,
                    Ms(h.GetValueAtPercentile(50)),
                    Ms(h.GetValueAtPercentile(90)),
                    Ms(h.GetValueAtPercentile(99)),
                    Ms(h.GetValueAtPercentile(99.9)),
                    Ms(h.GetMaxValue()),
                    Math.Round(h.GetMean() / 1000.0, 3));
        }
    }

    private static double Ms(long microseconds) => Math.Round(microseconds / 1000.0, 3);
}

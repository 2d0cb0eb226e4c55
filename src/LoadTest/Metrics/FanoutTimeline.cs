namespace CardGame.LoadTest.Metrics;

/// <summary>
/// When the slow fan-outs of a run happened: the window's moves in slices of <see cref="SliceMilliseconds"/> by the time
/// they were due, each slice with its count, how many took over 25 and over 100 ms to reach every other seat, and the
/// slowest. A pause in a server shows as a slice whose moves are all slow, and can be matched by its UTC time to what
/// the servers did then (garbage collections, a periodic report, a burst of timers).
/// </summary>
public sealed class FanoutTimeline
{
    public const int SliceMilliseconds = 100;

    /// <summary>At most this many slices (10 minutes) are kept; later moves are not placed.</summary>
    public const int MaxSlices = 6_000;

    private readonly Lock _lock = new();
    private Slice[] _slices = [];
    private long _start;
    private DateTime _startUtc;

    /// <summary>Starts a new window at <paramref name="start"/> (a <see cref="Clock"/> timestamp), which was <paramref name="startUtc"/>.</summary>
    public void Reset(long start, DateTime startUtc)
    {
        lock (_lock)
        {
            _slices = [];
            _start = start;
            _startUtc = startUtc;
        }
    }

    /// <summary>A move due at <paramref name="due"/> fanned out (or was given up as a miss) at <paramref name="at"/>.</summary>
    public void Record(long due, long at)
    {
        var index = Clock.Microseconds(_start, due) / (SliceMilliseconds * 1000);
        if (index is < 0 or >= MaxSlices)
        {
            return;
        }

        var microseconds = Clock.Microseconds(due, at);
        lock (_lock)
        {
            if (index >= _slices.Length)
            {
                Array.Resize(ref _slices, (int)index + 1);
            }

            ref var slice = ref _slices[index];
            slice.Moves++;
            if (microseconds > 25_000)
            {
                slice.Over25++;
            }

            if (microseconds > 100_000)
            {
                slice.Over100++;
            }

            slice.MaxMicroseconds = Math.Max(slice.MaxMicroseconds, microseconds);
        }
    }

    /// <summary>The slices that had a move, in time order.</summary>
    public IReadOnlyList<FanoutSlice> Slices()
    {
        lock (_lock)
        {
            var slices = new List<FanoutSlice>();
            for (var i = 0; i < _slices.Length; i++)
            {
                var slice = _slices[i];
                if (slice.Moves > 0)
                {
                    slices.Add(new FanoutSlice(
                        _startUtc.AddMilliseconds(i * SliceMilliseconds),
                        slice.Moves,
                        slice.Over25,
                        slice.Over100,
                        Math.Round(slice.MaxMicroseconds / 1000.0, 1)));
                }
            }

            return slices;
        }
    }

    private struct Slice
    {
        public int Moves;
        public int Over25;
        public int Over100;
        public long MaxMicroseconds;
    }
}

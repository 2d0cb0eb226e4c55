using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace CardGame.LoadTest.Metrics;

/// <summary>
/// The moves worth a closer look: each one that took longer than <see cref="Threshold"/> from when it was due to its
/// answer, or whose answer was an error or never came, with every attempt (its outcome and when), so a stall can be
/// matched to the servers' logs by time, room and move id. Keeps the first <see cref="Capacity"/>.
/// </summary>
public sealed class MoveLog
{
    public const int Capacity = 200;

    public static readonly TimeSpan Threshold = TimeSpan.FromSeconds(1);

    private readonly ConcurrentQueue<string> _lines = new();
    private int _count;

    /// <summary>Moves that were logged (more than <see cref="Capacity"/> are counted, not kept).</summary>
    public int Count => Volatile.Read(ref _count);

    public IReadOnlyList<string> Lines => [.. _lines];

    /// <summary>Starts following one move, due at <paramref name="due"/> (a <see cref="Clock"/> timestamp).</summary>
    public Entry Begin(string playerId, string roomId, string moveId, string move, long due) => new(this, playerId, roomId, moveId, move, due);

    private void Add(string line)
    {
        if (Interlocked.Increment(ref _count) <= Capacity)
        {
            _lines.Enqueue(line);
        }
    }

    /// <summary>One move's attempts; <see cref="End"/> logs it if it was slow or failed.</summary>
    public sealed class Entry(MoveLog log, string playerId, string roomId, string moveId, string move, long due)
    {
        private readonly DateTime _dueUtc = DateTime.UtcNow - TimeSpan.FromTicks(Clock.Microseconds(due, Clock.Now) * 10);
        private readonly StringBuilder _attempts = new();
        private bool _failed;

        /// <summary>An attempt ended with <paramref name="outcome"/> (ok, an error code, an exception type).</summary>
        public void Attempt(string outcome, bool failed = true)
        {
            _failed |= failed;
            _attempts.Append(CultureInfo.InvariantCulture, $"; {outcome} at +{Clock.Microseconds(due, Clock.Now) / 1e6:F2} s");
        }

        /// <summary>Something that happened to the move's connection at <paramref name="at"/> (a <see cref="Clock"/> timestamp), e.g. when it was back.</summary>
        public void Note(string what, long at) =>
            _attempts.Append(CultureInfo.InvariantCulture, $"; {what} at +{Clock.Microseconds(due, at) / 1e6:F2} s");

        public void End()
        {
            var elapsed = Clock.Microseconds(due, Clock.Now) / 1e6;
            if (_failed || elapsed >= Threshold.TotalSeconds)
            {
                log.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{_dueUtc:HH:mm:ss.fff} {playerId} {roomId} {move} {moveId}: {elapsed:F2} s{_attempts}"));
            }
        }
    }
}

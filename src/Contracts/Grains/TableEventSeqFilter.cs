namespace CardGame.Contracts.Grains;

/// <summary>
/// What an <see cref="ITableObserver"/> does with what tables send it: tables deliver at least once (a batch whose
/// delivery failed, or whose answer was lost, is sent again, possibly by the table's next activation after it migrated
/// to another silo), always in <c>seq</c> order per table. This passes on each event whose <c>seq</c> is above the last
/// one passed on for its room and drops the rest, so every event goes out once, in order. A room not heard from for
/// <see cref="ForgetAfter"/> is forgotten (a resend comes within seconds), so the filter holds only active rooms.
/// Safe to call from several threads.
/// </summary>
public sealed class TableEventSeqFilter
{
    /// <summary>How long a room's last <c>seq</c> is remembered after its last batch.</summary>
    public static readonly TimeSpan ForgetAfter = TimeSpan.FromMinutes(5);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, (long Seq, long At)> _rooms = [];
    private long _nextSweep;

    /// <summary>Rooms remembered.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _rooms.Count;
            }
        }
    }

    /// <summary>Events dropped because they had been passed on already.</summary>
    public long Duplicates { get; private set; }

    /// <summary>The last <c>seq</c> passed on for <paramref name="roomId"/>, or null when the room is not remembered.</summary>
    public long? LastSeq(string roomId)
    {
        lock (_gate)
        {
            return _rooms.TryGetValue(roomId, out var seen) ? seen.Seq : null;
        }
    }

    /// <summary>The events of <paramref name="notifications"/> not passed on before, in order.</summary>
    public IReadOnlyList<TableNotification> Fresh(string roomId, IReadOnlyList<TableNotification> notifications)
    {
        var now = Environment.TickCount64;
        lock (_gate)
        {
            SweepIfDue(now);
            var last = _rooms.TryGetValue(roomId, out var seen) ? seen.Seq : long.MinValue;
            List<TableNotification>? fresh = null;
            for (var i = 0; i < notifications.Count; i++)
            {
                var seq = notifications[i].Event.Seq;
                if (seq > last)
                {
                    last = seq;
                    fresh?.Add(notifications[i]);
                    continue;
                }

                // The first stale event: copy what was fresh so far, then keep only fresh ones.
                Duplicates++;
                fresh ??= [.. notifications.Take(i)];
            }

            _rooms[roomId] = (last, now);
            return fresh ?? notifications;
        }
    }

    private void SweepIfDue(long now)
    {
        if (now < _nextSweep)
        {
            return;
        }

        var forgetMs = (long)ForgetAfter.TotalMilliseconds;
        _nextSweep = now + forgetMs / 5;
        foreach (var (roomId, seen) in _rooms.ToList())
        {
            if (now - seen.At > forgetMs)
            {
                _rooms.Remove(roomId);
            }
        }
    }
}

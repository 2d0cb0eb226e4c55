namespace CardGame.Contracts.Grains;

/// <summary>
/// What an <see cref="ITableObserver"/> does with what tables send it, so that its clients see each room's events once,
/// in <c>seq</c> order, with no gap. Tables deliver at least once (a batch whose delivery failed, or whose answer was
/// lost, is sent again, possibly by the table's next activation after it migrated) and in order per subscription; but a
/// table that dropped the edge (three failed deliveries in a row) and was subscribed to again, or a late batch of an
/// activation that has moved on, can bring an event further on than the next one. So:
/// <list type="bullet">
/// <item>an event at or below the last one passed on for its room is dropped (seen already);</item>
/// <item>the next one is passed on, with any held ones it makes contiguous;</item>
/// <item>one further on is held, and <see cref="Step.FetchAfter"/> asks the caller to fetch the events after the last one
/// passed on from the table (<see cref="ITableEventLog.EventsAfter"/>) and hand them to <see cref="Filled"/>, which
/// passes on what they make contiguous and then, the gap being one the table no longer remembers, the rest in order
/// (the clients resync with <c>Resume</c>, as the protocol says for a gap).</item>
/// </list>
/// A room not followed before (or <see cref="Forget"/>-ten) starts at its first event. A room not heard from for
/// <see cref="ForgetAfter"/> is forgotten. Safe to call from several threads.
/// </summary>
public sealed class TableEventSequencer
{
    /// <summary>How long a room's last <c>seq</c> is remembered after its last batch.</summary>
    public static readonly TimeSpan ForgetAfter = TimeSpan.FromMinutes(5);

    /// <summary>Events held behind a gap beyond which they are passed on without waiting for the fetch.</summary>
    public const int MaxHeld = 1024;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Room> _rooms = [];
    private long _nextSweep;

    /// <summary>What to pass on now, in order, and whether to fetch the events after a <c>seq</c> (a gap opened).</summary>
    public readonly record struct Step(IReadOnlyList<TableNotification> Ready, long? FetchAfter);

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

    /// <summary>Events dropped because they had been passed on (or held) already.</summary>
    public long Duplicates { get; private set; }

    /// <summary>Gaps filled from the table's log before anything after them was passed on.</summary>
    public long GapsFilled { get; private set; }

    /// <summary>Gaps the table could not fill (it no longer remembered the events): passed on as gaps.</summary>
    public long GapsLeft { get; private set; }

    /// <summary>The last <c>seq</c> passed on for <paramref name="roomId"/>, or null when the room is not remembered.</summary>
    public long? LastSeq(string roomId)
    {
        lock (_gate)
        {
            return _rooms.TryGetValue(roomId, out var room) && room.Last != long.MinValue ? room.Last : null;
        }
    }

    /// <summary>Whether events of <paramref name="roomId"/> wait behind a gap.</summary>
    public bool IsHolding(string roomId)
    {
        lock (_gate)
        {
            return _rooms.TryGetValue(roomId, out var room) && room.Held.Count > 0;
        }
    }

    /// <summary>A batch from a table: what to pass on now, and whether a gap opened that the caller should fetch.</summary>
    public Step Accept(string roomId, IReadOnlyList<TableNotification> notifications)
    {
        var now = Environment.TickCount64;
        lock (_gate)
        {
            SweepIfDue(now);
            if (!_rooms.TryGetValue(roomId, out var room))
            {
                _rooms[roomId] = room = new Room();
            }

            room.At = now;
            List<TableNotification>? ready = null;
            foreach (var notification in notifications)
            {
                Offer(room, notification, ref ready);
            }

            if (room.Held.Count > MaxHeld)
            {
                // Too much waits on the fetch: pass it on (the fetch, when it comes, only fills what is still missing).
                Release(room, ref ready);
            }

            long? fetchAfter = null;
            if (room.Held.Count > 0 && !room.Fetching)
            {
                room.Fetching = true;
                fetchAfter = room.Last;
            }

            return new Step(ready ?? (IReadOnlyList<TableNotification>)[], fetchAfter);
        }
    }

    /// <summary>
    /// The events the caller fetched after the <see cref="Step.FetchAfter"/> it was given (null: the table could not say
    /// which, or did not answer): what they make contiguous is passed on, then whatever is still held, in order.
    /// </summary>
    public IReadOnlyList<TableNotification> Filled(string roomId, IReadOnlyList<TableNotification>? missed)
    {
        lock (_gate)
        {
            if (!_rooms.TryGetValue(roomId, out var room) || !room.Fetching)
            {
                // Forgotten meanwhile (and maybe followed afresh since): this fetch is of a gap that no longer exists.
                return [];
            }

            room.Fetching = false;
            var heldBefore = room.Held.Count;
            List<TableNotification>? ready = null;
            foreach (var notification in missed ?? [])
            {
                Offer(room, notification, ref ready);
            }

            if (heldBefore > 0 && room.Held.Count == 0)
            {
                GapsFilled++;
            }

            Release(room, ref ready);
            return ready ?? (IReadOnlyList<TableNotification>)[];
        }
    }

    /// <summary>
    /// Events of <paramref name="roomId"/> may have been published that will not come (the answer that carried them was
    /// lost): returns the <c>seq</c> after which the caller should fetch them and hand them to <see cref="Filled"/>, or
    /// null when the room is not followed or a fetch is under way already.
    /// </summary>
    public long? FetchAfter(string roomId)
    {
        lock (_gate)
        {
            if (!_rooms.TryGetValue(roomId, out var room) || room.Last == long.MinValue || room.Fetching)
            {
                return null;
            }

            room.Fetching = true;
            return room.Last;
        }
    }

    /// <summary>
    /// Stops following <paramref name="roomId"/>: the next event starts it afresh (an edge subscribing to a table it was
    /// not subscribed to, whose clients start from a view). Held events are dropped; a fetch under way is ignored.
    /// </summary>
    public void Forget(string roomId)
    {
        lock (_gate)
        {
            _rooms.Remove(roomId);
        }
    }

    private void Offer(Room room, TableNotification notification, ref List<TableNotification>? ready)
    {
        var seq = notification.Event.Seq;
        if (room.Last != long.MinValue && seq <= room.Last || room.Held.ContainsKey(seq))
        {
            Duplicates++;
            return;
        }

        if (room.Last != long.MinValue && seq > room.Last + 1)
        {
            room.Held.Add(seq, notification);
            return;
        }

        (ready ??= []).Add(notification);
        room.Last = seq;
        while (room.Held.Count > 0 && room.Held.Keys[0] <= room.Last + 1)
        {
            var next = room.Held.Values[0];
            room.Held.RemoveAt(0);
            if (next.Event.Seq == room.Last + 1)
            {
                ready.Add(next);
                room.Last = next.Event.Seq;
            }
        }
    }

    /// <summary>Passes on everything held, in order, leaving the gap before it.</summary>
    private void Release(Room room, ref List<TableNotification>? ready)
    {
        if (room.Held.Count == 0)
        {
            return;
        }

        GapsLeft++;
        ready ??= [];
        ready.AddRange(room.Held.Values);
        room.Last = room.Held.Keys[^1];
        room.Held.Clear();
    }

    private void SweepIfDue(long now)
    {
        if (now < _nextSweep)
        {
            return;
        }

        var forgetMs = (long)ForgetAfter.TotalMilliseconds;
        _nextSweep = now + forgetMs / 5;
        foreach (var (roomId, room) in _rooms.ToList())
        {
            if (now - room.At > forgetMs && !room.Fetching)
            {
                _rooms.Remove(roomId);
            }
        }
    }

    private sealed class Room
    {
        /// <summary>The last <c>seq</c> passed on, or <see cref="long.MinValue"/> before the first event.</summary>
        public long Last { get; set; } = long.MinValue;

        public long At { get; set; }

        /// <summary>Events after a gap, waiting for it to be filled.</summary>
        public SortedList<long, TableNotification> Held { get; } = [];

        /// <summary>A fetch of the gap is under way (<see cref="Filled"/> not called yet).</summary>
        public bool Fetching { get; set; }
    }
}

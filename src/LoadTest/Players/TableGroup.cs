using CardGame.Contracts.Protocol;
using CardGame.LoadTest.Checking;
using CardGame.LoadTest.Metrics;

namespace CardGame.LoadTest.Players;

/// <summary>
/// The simulated players of one table, all hosted by this process. Seat 0 creates the room and the others join it by
/// id (no racing on the room list). Because every seat is local, the group measures how long an action takes to reach
/// every other seat, and checks across seats: every seat must see the same public content at a seq, and no two seats
/// may be dealt the same card.
/// </summary>
public sealed class TableGroup(int index, int seats, RunMetrics metrics, Violations violations, int? receiversPerEvent = null)
{
    private static readonly TimeSpan EntryLifetime = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, (long Due, long Ticket)> _inFlight = new(StringComparer.Ordinal);
    private readonly Dictionary<long, SeqEntry> _bySeq = [];
    private int _joined;
    private long _lastSweep = Clock.Now;

    public int Index { get; } = index;

    public int Seats { get; } = seats;

    /// <summary>The room id, once seat 0 has created the room.</summary>
    public TaskCompletionSource<string> Room { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Counts a seated player.</summary>
    public void Joined() => Interlocked.Increment(ref _joined);

    /// <summary>Whether every seat is taken.</summary>
    public bool IsFull => Volatile.Read(ref _joined) >= Seats;

    /// <summary>
    /// An actor sent a move that was due at <paramref name="dueTimestamp"/> (its <see cref="RunMetrics.MoveSent"/>
    /// ticket); the next event it causes is timed from when it was due, so a move that waited for its turn to be sent
    /// (open loop) carries that wait.
    /// </summary>
    public void ActionSent(string actorId, long dueTimestamp, long ticket)
    {
        lock (_lock)
        {
            _inFlight[actorId] = (dueTimestamp, ticket);
        }
    }

    public void ActionFailed(string actorId)
    {
        lock (_lock)
        {
            _inFlight.Remove(actorId);
        }
    }

    /// <summary>A seat received an event (the receiver's own copy: private parts differ, public content must not).</summary>
    public void EventReceived(string receiverId, TableEvent e, long timestamp)
    {
        lock (_lock)
        {
            if (!_bySeq.TryGetValue(e.Seq, out var entry))
            {
                entry = new SeqEntry(Fingerprint(e), timestamp, e.PlayerId);
                if (e.Kind is EventKinds.Put or EventKinds.Took && e.Auto != true && e.PlayerId is { } actor
                    && _inFlight.Remove(actor, out var sent))
                {
                    entry.SentAt = sent.Due;
                    entry.Ticket = sent.Ticket;
                }

                _bySeq[e.Seq] = entry;
            }
            else if (entry.Fingerprint != Fingerprint(e))
            {
                violations.Report(ViolationKinds.DivergentEvent, $"{e.RoomId} seq {e.Seq}: '{Fingerprint(e)}' vs '{entry.Fingerprint}'");
            }

            // The same seat again: delivery is at least once, and a player who reconnected (to another edge) may be
            // sent an event again that its first connection had. Whether that seat may see it twice is its own
            // tracker's call (seq_repeat on one connection); here it is neither a second receiver nor a second hand.
            if (!entry.Receivers.Add(receiverId))
            {
                return;
            }

            if (e.Kind == EventKinds.Started && e.Hand is { } hand)
            {
                foreach (var (other, otherHand) in entry.Hands)
                {
                    if (otherHand.Intersect(hand).FirstOrDefault() is { } shared)
                    {
                        violations.Report(ViolationKinds.ForeignHand, $"{e.RoomId} seq {e.Seq}: {receiverId} and {other} were both dealt {shared}");
                    }
                }

                entry.Hands.Add((receiverId, hand));
            }

            if (entry.SentAt is { } sentAt && receiverId != entry.Actor)
            {
                if (entry.Ticket != 0)
                {
                    metrics.Delivery.RecordElapsed(sentAt, timestamp);
                }

                entry.LastOther = timestamp;
            }

            if (entry.Receivers.Count >= (receiversPerEvent ?? Seats))
            {
                if (entry.LastOther is { } last)
                {
                    metrics.FannedOut(entry.Ticket, last);
                }

                _bySeq.Remove(e.Seq);
            }

            Sweep(timestamp);
        }
    }

    // Entries of events some seat never received (it left, or its connection dropped) must not pile up.
    private void Sweep(long now)
    {
        if (now - _lastSweep < Clock.FromSeconds(5))
        {
            return;
        }

        _lastSweep = now;
        var expired = _bySeq.Where(pair => now - pair.Value.FirstSeen > Clock.FromSeconds(EntryLifetime.TotalSeconds)).Select(pair => pair.Key).ToList();
        foreach (var seq in expired)
        {
            _bySeq.Remove(seq);
        }
    }

    private static string Fingerprint(TableEvent e) =>
        $"{e.Kind}|{e.PlayerId}|{(e.Kind == EventKinds.Took ? "" : e.Card)}|{e.Suit}|{e.HandCount}|{e.Turn}|{e.Winner}|{e.Auto}|{e.Connected}";

    private sealed class SeqEntry(string fingerprint, long firstSeen, string? actor)
    {
        public string Fingerprint { get; } = fingerprint;

        public long FirstSeen { get; } = firstSeen;

        public string? Actor { get; } = actor;

        /// <summary>When the move behind this event was due.</summary>
        public long? SentAt { get; set; }

        /// <summary>The move's ticket from <see cref="RunMetrics.MoveSent"/> (0: not counted).</summary>
        public long Ticket { get; set; }

        public long? LastOther { get; set; }

        /// <summary>The seats that received this event (each counted once).</summary>
        public HashSet<string> Receivers { get; } = [];

        public List<(string Player, IReadOnlyList<string> Hand)> Hands { get; } = [];
    }
}
